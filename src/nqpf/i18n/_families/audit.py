"""Texts of the audit table's reasons (``audit.reason.<code>``, :mod:`nqpf.i18n._reasons`) and the words
they take as arguments (``audit.word.*``). The English sentences are also what ``tables/audit.csv``
holds in its ``reason`` column."""

TEXTS = {
    "zh": {
        "col.reason_code": "原因代码",
        "col.reason_args": "原因参数",
        # reading cells
        "audit.reason.blank_cell": "空单元格",
        "audit.reason.missing_marker": "缺失值标记“{marker}”",
        "audit.reason.infinite_value": "无穷值 {value}",
        "audit.reason.infinite_missing": "无穷值 {value}，按缺失处理",
        "audit.reason.text_number": "文本形式的数字：{fixes}",
        "audit.word.fix_full_width": "全角字符",
        "audit.word.fix_thousands": "千位分隔符",
        "audit.word.fix_spaces": "空格",
        "audit.word.fix_percent": "去掉“%”号（数值仍按百分数）",
        "audit.word.fix_text": "文本",
        # region names
        "audit.reason.aggregate_row": "汇总行，不是省份",
        "audit.reason.renamed_code": "地区名称规范为其 GB/T 2260 代码",
        "audit.reason.alias": "地区写法按别名“{alias}”→“{target}”对应（见 {where}）",
        # preparation
        "audit.reason.interpolated": "在 {y0} 年（{v0:.6g}）与 {y1} 年（{v1:.6g}）之间线性插值",
        "audit.reason.extrapolated": "由观测年份 {y0}—{y1} 年{method}外推",
        "audit.word.extrapolate_nearest": "按最近值",
        "audit.word.extrapolate_linear": "线性",
        "audit.reason.jump": "疑似跳变：{what}每年 {d:.4g}，超过 {threshold:g} × {scale:.4g}（该序列{what}绝对值的中位数，"
                             "设有下限）；数值保留",
        "audit.word.change": "变化",
        "audit.word.change_log": "对数值的变化",
        "audit.reason.formula_zero_division": "公式“{formula}”中除以零",
        "audit.reason.formula_overflow": "公式“{formula}”溢出（结果超出 ±1.8e308）",
        "audit.reason.excluded": "地区不纳入研究（exclude_regions）",
        "audit.reason.outside_period": "不在研究期 {y0}—{y1} 年内",
        "audit.reason.incomplete": "地区-年份不完整：插值后仍有指标缺失",
        "audit.reason.incomplete_absent": "地区-年份不完整：插值后仍有指标缺失（输入中没有该地区-年份）",
        # index
        "audit.reason.constant_indicator": "常数指标：标准化为 0（熵值法、CRITIC 法和变异系数法下权重为 0）",
        "audit.reason.extreme_value": "极端值（稳健 z 值 {z:.3g}；该指标偏度 {skewness:.3g}、峰度 {kurtosis:.3g}）",
        "audit.reason.extreme_value_at": "极端值（稳健 z 值 {z:.3g}；该指标偏度 {skewness:.3g}、峰度 {kurtosis:.3g}）；"
                                         "读自 {place}",
        "audit.reason.step_series": "阶梯式序列：半数及以上地区在 T 年中至多有 max(2, T/3) 个不同取值",
        "audit.reason.dominant_indicator": "权重过大的指标：权重 {weight:.3f} > {limit:.2f}",
        "audit.reason.treated": "偏态指标已处理（{how}；|偏度| > {skew:g} 且峰度 > {kurt:g}）",
        # scores and other tables
        "audit.reason.drop_missing": "得分缺失；该地区从平衡面板中删除（--drop-missing）",
        "audit.reason.drop_missing_other": "该地区在其他年份有缺失得分；已删除（--drop-missing）",
        "audit.reason.table_region_unknown": "{what}表中的地区不在得分的地区之中：未使用",
        "audit.reason.table_years_outside": "{what}表的 {y0}—{y1} 年不在得分的年份 {s0}—{s1} 年之内：未使用",
        "audit.reason.table_year_outside": "{what}表的 {y0} 年不在得分的年份 {s0}—{s1} 年之内：未使用",
        "audit.reason.table_value_unused": "{what}“{variable}”无数值（未使用）",
        "audit.reason.control_last_year": "控制变量“{variable}”在最后一年 {last} 年无数值（不需要：模型只读取最后一年以外的各年）",
        "audit.reason.control_unused": "控制变量“{variable}”无数值（不需要：该变量不在所用控制变量之中）",
        "audit.reason.covariate_unused": "协变量“{variable}”无数值（未使用：该因子不在 drivers.factors 之中）",
        "audit.reason.covariate_left_out": "协变量“{variable}”在 {year} 年无数值：该地区-年份不参与因子“{variable}”的探测",
        # reading the layout of a sheet
        "audit.reason.notes_below": "表格下方的注释：第 {first}—{last} 行不作为数据读取",
        "audit.reason.two_row_header": "两行表头：第 {col} 列的变量按其下层表头单元格（第 {row} 行）命名",
        "audit.reason.two_row_header_group": "两行表头：第 {col} 列的变量按其下层表头单元格（第 {row} 行）命名，"
                                             "属于“{group}”（第 {group_row} 行）",
        "audit.reason.units_row": "表头下方的单位行（单位已保留）：{units}",
        "audit.reason.units_row_one": "表头下方的单位行（单位已保留）",
        "audit.reason.text_column": "该列为文本而非数字：不作为变量",
        "audit.reason.no_header": "未找到表头（没有地区列和年份列，也没有年份行）：跳过该工作表",
        "audit.reason.repeated_year": "表头中年份重复：跳过该工作表（未读取变量）",
        "audit.reason.stacked_table": "上方表格之下另起一个表格（表头在第 {row} 行）：按其自身表头读取",
        "audit.reason.no_neighbours": "在所用空间权重下没有邻居：局部统计量未计算（留空），不参与显著性检验",
        "audit.word.control": "控制变量",
        "audit.word.covariate": "协变量",
    },
    "en": {
        "col.reason_code": "reason code",
        "col.reason_args": "reason arguments",
        "audit.reason.blank_cell": "blank cell",
        "audit.reason.missing_marker": "missing-value marker '{marker}'",
        "audit.reason.infinite_value": "infinite value {value}",
        "audit.reason.infinite_missing": "infinite value {value} read as missing",
        "audit.reason.text_number": "text number: {fixes}",
        "audit.word.fix_full_width": "full-width characters",
        "audit.word.fix_thousands": "thousands separators",
        "audit.word.fix_spaces": "spaces",
        "audit.word.fix_percent": "'%' sign dropped (value kept in percent)",
        "audit.word.fix_text": "text",
        "audit.reason.aggregate_row": "aggregate row, not a province",
        "audit.reason.renamed_code": "region name normalised to its GB/T 2260 code",
        "audit.reason.alias": "region spelling mapped by the alias '{alias}' → '{target}' (given in {where})",
        "audit.reason.interpolated": "linear interpolation between {y0} ({v0:.6g}) and {y1} ({v1:.6g})",
        "audit.reason.extrapolated": "{method} extrapolation from observed years {y0}-{y1}",
        "audit.word.extrapolate_nearest": "nearest",
        "audit.word.extrapolate_linear": "linear",
        "audit.reason.jump": "possible jump: {what} {d:.4g}/year exceeds {threshold:g} x {scale:.4g} (the series' "
                             "median |{what}|, floored); value kept",
        "audit.word.change": "change",
        "audit.word.change_log": "change of ln(value)",
        "audit.reason.formula_zero_division": "division by zero in formula '{formula}'",
        "audit.reason.formula_overflow": "overflow in formula '{formula}' (result beyond ±1.8e308)",
        "audit.reason.excluded": "region excluded from the study (exclude_regions)",
        "audit.reason.outside_period": "outside the study period {y0}-{y1}",
        "audit.reason.incomplete": "incomplete region-year: indicator(s) missing after interpolation",
        "audit.reason.incomplete_absent": "incomplete region-year: indicator(s) missing after interpolation "
                                          "(region-year absent from the input)",
        "audit.reason.constant_indicator": "constant indicator: normalised to 0 (weight 0 under entropy, CRITIC and CV)",
        "audit.reason.extreme_value": "extreme value (robust z {z:.3g}; indicator skewness {skewness:.3g}, "
                                      "kurtosis {kurtosis:.3g})",
        "audit.reason.extreme_value_at": "extreme value (robust z {z:.3g}; indicator skewness {skewness:.3g}, "
                                         "kurtosis {kurtosis:.3g}); read at {place}",
        "audit.reason.step_series": "step series: at most max(2, T/3) distinct values over T years in half of the "
                                    "regions or more",
        "audit.reason.dominant_indicator": "dominant indicator: weight {weight:.3f} > {limit:.2f}",
        "audit.reason.treated": "skewed indicator treated ({how}; |skewness| > {skew:g} and kurtosis > {kurt:g})",
        "audit.reason.drop_missing": "missing score; region dropped from the balanced panel (--drop-missing)",
        "audit.reason.drop_missing_other": "region has a missing score in another year; dropped (--drop-missing)",
        "audit.reason.table_region_unknown": "region of the {what} table not among the regions of the scores: not used",
        "audit.reason.table_years_outside": "years {y0}–{y1} of the {what} table are outside the scores' years "
                                            "{s0}–{s1}: not used",
        "audit.reason.table_year_outside": "year {y0} of the {what} table is outside the scores' years {s0}–{s1}: "
                                           "not used",
        "audit.reason.table_value_unused": "no value of {what} '{variable}' (not used)",
        "audit.reason.control_last_year": "no value of control '{variable}' in the last year {last} (not needed: the "
                                          "models read every year but the last)",
        "audit.reason.control_unused": "no value of control '{variable}' (not needed: the variable is not among the "
                                       "controls used)",
        "audit.reason.covariate_unused": "no value of covariate '{variable}' (not used: the factor is not among "
                                         "drivers.factors)",
        "audit.reason.covariate_left_out": "no value of covariate '{variable}' in {year}: this region-year is left "
                                           "out of the detectors of factor '{variable}'",
        "audit.reason.notes_below": "notes below the table: rows {first}-{last} not read as data",
        "audit.reason.two_row_header": "two-row header: the variable of column {col} is named by its lower header "
                                       "cell (row {row})",
        "audit.reason.two_row_header_group": "two-row header: the variable of column {col} is named by its lower "
                                             "header cell (row {row}), under '{group}' (row {group_row})",
        "audit.reason.units_row": "units row below the header (units kept): {units}",
        "audit.reason.units_row_one": "units row below the header (unit kept)",
        "audit.reason.text_column": "column holds text, not numbers: not a variable",
        "audit.reason.no_header": "no table header found (no region and year columns, no row of years): sheet skipped",
        "audit.reason.repeated_year": "header repeats a year: sheet skipped (not a variable read)",
        "audit.reason.stacked_table": "a further table stacked below the one above starts here (its header in row "
                                      "{row}): read with its own header",
        "audit.reason.no_neighbours": "no neighbours under the weights used: local statistics not computed (left "
                                      "blank), never tested for significance",
        "audit.word.control": "control",
        "audit.word.covariate": "covariate",
    },
}

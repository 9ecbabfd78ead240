"""Texts of the presentation at any scale: words drawn in maps (north arrow, scale bar, projection,
classification), the notes of figures that show a summary for many regions (labelled points, top and
bottom regions, deciles, largest rank changes) and the notes of report tables shortened for many rows.
"""

TEXTS = {
    "zh": {
        # maps
        "plot.north": "北",
        "plot.km": "千米",
        "plot.map_projection": "阿尔伯斯等积圆锥投影（标准纬线 25°N、47°N，中央经线 105°E）；比例尺按 {lat}°N 计",
        "plot.scheme.natural_breaks": "自然断点法（Fisher–Jenks），{k} 级",
        "plot.scheme.natural_breaks_sampled": "自然断点法（Fisher–Jenks，按 {m} 个等距分位值计算），{k} 级",
        "plot.scheme.sampled_note": "自然断点法按全部 {n} 个数值的 {m} 个等距分位值计算",
        "plot.scheme.fisher_jenks": "自然断点法（Fisher–Jenks），{k} 级",
        "plot.scheme.quantiles": "分位数分级，{k} 级",
        "plot.scheme.equal_interval": "等间距分级，{k} 级",
        "plot.scheme.common": "{years} 年共用分级",
        "methods.moran.local_cluster": "局部莫兰指数按式（{eq_local}），m_{{2}} = Σ_{{i}} z_{{i}}^{{2}} / n，采用条件置换检验"
                                       "（{alternative}伪 p 值）；p_{{sim}} ≤ {alpha} 时按莫兰散点图象限记为高-高（HH）、"
                                       "低-高（LH）、低-低（LL）、高-低（HL）集聚，无邻居的地区从不判为显著。",
        "methods.maps.common_breaks": "综合得分地图（{years} 年）采用共同的分级：对这些年份的得分合并后按自然断点法"
                                      "（Fisher–Jenks）分级，各年地图的同一颜色代表同一得分区间，可以直接比较。",
        "plot.classes_lisa": "局部莫兰 LISA 显著集聚",
        "plot.classes_lisa_alpha": "局部莫兰 LISA 显著集聚（p ≤ {alpha}）",
        "plot.classes_spot": "局部 Getis–Ord Gi* 冷热点",
        "plot.untested": "无邻居（未检验）",
        # Moran scatter with many points
        "plot.labels_note_sig": "仅标注各显著集聚类型中距原点最远的地区（至多 {k} 个；共 {n} 个地区）",
        "plot.labels_note_all": "仅标注距原点最远的地区（至多 {k} 个；共 {n} 个地区）",
        "plot.labels_none": "地区过多（{n} 个），不逐一标注",
        "plot.point_density": "地区分布密度",
        # heatmap and rank changes with many regions
        "plot.heatmap_extremes_note": "仅显示 {year} 年得分最高与最低各 {k} 个地区（共 {n} 个）；全部数据见结果表格",
        "plot.heatmap_gap": "…… 其余 {m} 个地区 ……",
        "plot.heatmap_deciles_note": "按 {year} 年得分将 {n} 个地区分为十组，格内为组内平均得分",
        "plot.decile": "第 {d} 组",
        "plot.rank_movers_note": "仅显示排名上升与下降最多的各 {k} 个地区（共 {n} 个）；全部得分见结果表格",
        "plot.rank_change_axis": "排名变化（{first}→{last}，正值为上升）",
        # report tables shortened for many rows
        "note.top_bottom": "注：仅列出按「{basis}」最高与最低各 {k} 个地区（共 {n} 个）；完整数据见工作簿 {book} 的工作表「{sheet}」。",
        "note.gap_rows": "…… 其余 {m} 个地区 ……",
        # the same notes when the workbook is not written: the CSV file of the table, or no full table
        "note.top_bottom.csv": "注：仅列出按「{basis}」最高与最低各 {k} 个地区（共 {n} 个）；完整数据见表格文件 {csv}。",
        "note.top_bottom.none": "注：仅列出按「{basis}」最高与最低各 {k} 个地区（共 {n} 个）；输出格式含 xlsx 或 csv 时另写出完整表格。",
        "note.significant_only.csv": "注：仅列出显著集聚的地区-年份（列出 {shown} 行，显著共 {n_sig} 行，全表 {total} 行）；完整结果见表格文件 {csv}。",
        "note.significant_only.none": "注：仅列出显著集聚的地区-年份（列出 {shown} 行，显著共 {n_sig} 行，全表 {total} 行）；输出格式含 xlsx 或 csv 时另写出完整表格。",
        "note.truncated.csv": "注：仅列出前 {shown} 行（共 {total} 行）；完整数据见表格文件 {csv}。",
        "note.truncated.none": "注：仅列出前 {shown} 行（共 {total} 行）；输出格式含 xlsx 或 csv 时另写出完整表格。",
        "note.truncated_cols.csv": "注：仅列出前 {shown} 列（共 {total} 列）；完整数据见表格文件 {csv}。",
        "note.truncated_cols.none": "注：仅列出前 {shown} 列（共 {total} 列）；输出格式含 xlsx 或 csv 时另写出完整表格。",
        "note.more_columns.csv": "注：另有 {n} 列见表格文件 {csv}。",
        "note.more_columns.none": "注：另有 {n} 列未列出；输出格式含 xlsx 或 csv 时另写出完整表格。",
        "note.also_in_sheet.csv": "完整数据亦见表格文件 {csv}。",
        "note.also_in_sheet.none": "输出格式含 xlsx 或 csv 时另写出完整表格。",
        "report.footer.csv": "本报告由 nqpf 生成；全部数值表见文件夹 tables 中的 CSV 文件。",
        "report.footer.none": "本报告由 nqpf 生成。",
    },
    "en": {
        "plot.north": "N",
        "plot.km": "km",
        "plot.map_projection": "Albers equal-area conic projection (standard parallels 25°N and 47°N, "
                               "central meridian 105°E); scale bar true at {lat}°N",
        "plot.scheme.natural_breaks": "Natural breaks (Fisher–Jenks), {k} classes",
        "plot.scheme.natural_breaks_sampled": "Natural breaks (Fisher–Jenks on {m} evenly spaced order "
                                              "statistics), {k} classes",
        "plot.scheme.sampled_note": "Natural breaks computed on {m} evenly spaced order statistics of the {n} "
                                    "values",
        "plot.scheme.fisher_jenks": "Natural breaks (Fisher–Jenks), {k} classes",
        "plot.scheme.quantiles": "Quantiles, {k} classes",
        "plot.scheme.equal_interval": "Equal intervals, {k} classes",
        "plot.scheme.common": "classes common to {years}",
        "methods.moran.local_cluster": "Local Moran's I, eq. ({eq_local}), with m_{{2}} = Σ_{{i}} z_{{i}}^{{2}} / n and a "
                                       "conditional permutation test ({alternative} pseudo p); when p_{{sim}} ≤ {alpha} the "
                                       "region-year is labelled by its scatterplot quadrant: high-high (HH), low-high (LH), "
                                       "low-low (LL), high-low (HL). Regions without neighbours are never significant.",
        "methods.maps.common_breaks": "The score maps ({years}) share their classes: natural breaks (Fisher–Jenks) of "
                                      "the scores of these years pooled, so that a colour stands for the same range of "
                                      "scores on every map and the maps can be compared directly.",
        "plot.classes_lisa": "Significant local Moran (LISA) clusters",
        "plot.classes_lisa_alpha": "Significant local Moran (LISA) clusters (p ≤ {alpha})",
        "plot.classes_spot": "Local Getis–Ord Gi* hot and cold spots",
        "plot.untested": "No neighbours (not tested)",
        "plot.labels_note_sig": "Labelled: the significant regions farthest from the origin in each cluster "
                                "type (at most {k}; {n} regions in all)",
        "plot.labels_note_all": "Labelled: the regions farthest from the origin (at most {k}; {n} regions "
                                "in all)",
        "plot.labels_none": "Too many regions ({n}) to label",
        "plot.point_density": "Density of regions",
        "plot.heatmap_extremes_note": "Only the {k} highest and {k} lowest of {n} regions in {year} are shown; "
                                      "all are in the result tables",
        "plot.heatmap_gap": "… {m} further regions …",
        "plot.heatmap_deciles_note": "The {n} regions in ten groups by their {year} score; cells show each "
                                     "group's mean score",
        "plot.decile": "Decile {d}",
        "plot.rank_movers_note": "Only the {k} regions rising most and the {k} falling most of {n} are shown; "
                                 "all scores are in the result tables",
        "plot.rank_change_axis": "Change in rank ({first}→{last}; positive: up)",
        "note.top_bottom": "Note: only the {k} highest and {k} lowest of {n} regions by '{basis}' are listed; "
                           "the full table is in sheet '{sheet}' of the workbook {book}.",
        "note.gap_rows": "… {m} further regions …",
        "note.top_bottom.csv": "Note: only the {k} highest and {k} lowest of {n} regions by '{basis}' are listed; "
                               "the full table is in the file {csv}.",
        "note.top_bottom.none": "Note: only the {k} highest and {k} lowest of {n} regions by '{basis}' are listed; "
                                "the full table is written with the output format xlsx or csv.",
        "note.significant_only.csv": "Note: only significant region-years are listed ({shown} shown of {n_sig} "
                                     "significant, {total} rows in all); the full table is in the file {csv}.",
        "note.significant_only.none": "Note: only significant region-years are listed ({shown} shown of {n_sig} "
                                      "significant, {total} rows in all); the full table is written with the "
                                      "output format xlsx or csv.",
        "note.truncated.csv": "Note: first {shown} of {total} rows shown; the full table is in the file {csv}.",
        "note.truncated.none": "Note: first {shown} of {total} rows shown; the full table is written with the output "
                               "format xlsx or csv.",
        "note.truncated_cols.csv": "Note: first {shown} of {total} columns shown; the full table is in the file {csv}.",
        "note.truncated_cols.none": "Note: first {shown} of {total} columns shown; the full table is written with the "
                                    "output format xlsx or csv.",
        "note.more_columns.csv": "Note: {n} further columns are in the file {csv}.",
        "note.more_columns.none": "Note: {n} further columns are not shown; the full table is written with the output "
                                  "format xlsx or csv.",
        "note.also_in_sheet.csv": "Also in the file {csv}.",
        "note.also_in_sheet.none": "The full table is written with the output format xlsx or csv.",
        "report.footer.csv": "Generated by nqpf; every table is also a CSV file in the folder tables.",
        "report.footer.none": "Generated by nqpf.",
    },
}

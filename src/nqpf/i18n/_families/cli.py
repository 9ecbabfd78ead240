"""Texts of the command line's inputs shown in the reports: the region aliases and the control table of
conditional β convergence (parameters), and the audit codes of the readers' aliases, the outlier
treatment and the control table."""

_ZH = {
    "meta.region_aliases": "地区别名",
    "meta.convergence_controls_file": "β 收敛控制变量文件",
    "cat.stage.controls": "控制变量",
    "cat.action.alias": "已按别名匹配",
    "cat.action.treated": "已处理（极端值）",
}

_EN = {
    "meta.region_aliases": "Region aliases",
    "meta.convergence_controls_file": "Control variables of β convergence (file)",
    "cat.stage.controls": "control variables",
    "cat.action.alias": "matched by an alias",
    "cat.action.treated": "treated (extreme values)",
}

TEXTS = {"zh": _ZH, "en": _EN}

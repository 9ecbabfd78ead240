"""Texts of the standard deviational ellipse family (:mod:`nqpf.analyses.ellipse`): the ``ellipse``
table, the map of ellipses and the centre's path, the methods text, conventions and parameters.

Compass points are the code family ``compass`` (``cat.compass.N`` …): the family ``direction`` of the
main catalogues already holds the directions of trends (up, down, flat).
"""

TEXTS = {
    "zh": {
        "section.ellipse": "标准差椭圆与重心迁移",
        "caption.ellipse": "标准差椭圆与加权平均中心（重心）的逐年变化",
        "table.ellipse": "标准差椭圆",
        "col.x": "重心 x（km）",
        "col.y": "重心 y（km）",
        "col.lon": "重心经度（°E）",
        "col.lat": "重心纬度（°N）",
        "col.sd_x": "短轴标准差（km）",
        "col.sd_y": "长轴标准差（km）",
        "col.rotation": "转角 θ（°）",
        "col.area_km2": "椭圆面积（km²）",
        "col.shift_km": "重心移动距离（km）",
        "col.bearing": "移动方位角（°）",
        "cat.compass.N": "北",
        "cat.compass.NE": "东北",
        "cat.compass.E": "东",
        "cat.compass.SE": "东南",
        "cat.compass.S": "南",
        "cat.compass.SW": "西南",
        "cat.compass.W": "西",
        "cat.compass.NW": "西北",
        "figure.ellipse_map": "{first}—{last}年新质生产力发展潜力标准差椭圆与重心迁移路径",
        "plot.fig_ellipse": "标准差椭圆与重心迁移（{first}—{last}年）",
        "plot.ellipse_legend": "标准差椭圆\n标准差校正：{correction}",
        "plot.ellipse_year": "{year}年",
        "plot.ellipse_path": "重心迁移路径",
        "plot.ellipse_points": "地区位置点",
        "plot.ellipse_path_title": "重心迁移路径（相对{first}年重心）",
        "plot.ellipse_east": "向东距离（km）",
        "plot.ellipse_north": "向北距离（km）",
        "plot.ellipse_x": "x（km）",
        "plot.ellipse_y": "y（km）",
        "methods.ellipse.heading": "标准差椭圆与重心迁移",
        "methods.ellipse.text": (
            "以各地区{points}为其位置，投影到{projection}，单位为 km；以当年发展潜力得分为权重 w_{{i}}，按式（{eq1}）计算"
            "加权平均中心（重心），按式（{eq2}）由加权协方差确定椭圆长轴方向，转角 θ 为长轴自正北方向顺时针量得的角度"
            "（0°–180°）；沿长轴与短轴的标准差按式（{eq3}）计算（{correction}），椭圆面积按式（{eq4}）。相邻两年重心的"
            "移动距离与方位角{shift}，方位角自正北顺时针量取，并归入八个方位（每 45° 一个）。"),
        "methods.ellipse.points.centroid": "主体多边形在等积投影下的几何中心（落在多边形之外时改用多边形内的代表点）",
        "methods.ellipse.points.surface": "多边形内的代表点（point on surface）",
        "methods.ellipse.points.capital": "省会城市",
        "methods.ellipse.points.given": "用户给定的坐标",
        "methods.ellipse.projection.albers_china": "阿尔伯斯等积圆锥投影（标准纬线 25°N、47°N，中央经线 105°E）",
        "methods.ellipse.projection.given": "用户坐标所在的平面（不另投影）",
        "methods.ellipse.shift.geodesic": "按 WGS 84 椭球面上的大地线计算",
        "methods.ellipse.shift.planar": "在平面坐标中计算",
        "methods.ellipse.correction.arcgis": "乘以 √2，同 ArcGIS 的标准差椭圆工具",
        "methods.ellipse.correction.crimestat": "乘以 √2·√(n/(n−2))，同 CrimeStat 与 pointpats 的默认设置",
        "methods.ellipse.correction.none": "不作校正，即沿各轴的加权标准差（Yuill 1971）",
        "conv.ellipse": "标准差椭圆",
        "convtext.ellipse.arcgis": (
            "以得分为权重；σ = √2·√λ（λ 为加权协方差矩阵的特征值，同 ArcGIS）；sd_y 为长轴、sd_x 为短轴标准差；转角为长轴"
            "自正北顺时针的角度（0°–180°）；面积 π·sd_x·sd_y"),
        "convtext.ellipse.crimestat": (
            "以得分为权重；σ = √2·√(n/(n−2))·√λ（λ 为加权协方差矩阵的特征值，同 CrimeStat 与 pointpats）；sd_y 为长轴、"
            "sd_x 为短轴标准差；转角为长轴自正北顺时针的角度（0°–180°）；面积 π·sd_x·sd_y"),
        "convtext.ellipse.none": (
            "以得分为权重；σ = √λ（λ 为加权协方差矩阵的特征值，不作校正）；sd_y 为长轴、sd_x 为短轴标准差；转角为长轴"
            "自正北顺时针的角度（0°–180°）；面积 π·sd_x·sd_y"),
        "meta.ellipse_points": "标准差椭圆：地区位置",
        "meta.ellipse_correction": "标准差椭圆：标准差校正",
        "meta.ellipse_projection": "标准差椭圆：投影",
        "meta.ellipse_coordinates": "标准差椭圆：坐标文件",
        "meta.ellipse_skipped": "标准差椭圆",
        "value.centroid": "主体多边形几何中心",
        "value.surface": "多边形内代表点",
        "value.capital": "省会城市",
        "value.arcgis": "√2（ArcGIS）",
        "value.crimestat": "√2·√(n/(n−2))（CrimeStat、pointpats）",
        "value.albers_china": "阿尔伯斯等积圆锥投影（25°N、47°N，105°E）",
        "value.no_coordinates": "未计算：地区无行政区划代码且未给出坐标",
    },
    "en": {
        "section.ellipse": "Standard deviational ellipse and the shift of the centre",
        "caption.ellipse": "Standard deviational ellipse and weighted mean centre by year",
        "table.ellipse": "Standard ellipse",
        "col.x": "Centre x (km)",
        "col.y": "Centre y (km)",
        "col.lon": "Centre longitude (°E)",
        "col.lat": "Centre latitude (°N)",
        "col.sd_x": "SD, minor axis (km)",
        "col.sd_y": "SD, major axis (km)",
        "col.rotation": "Rotation θ (°)",
        "col.area_km2": "Ellipse area (km²)",
        "col.shift_km": "Shift of the centre (km)",
        "col.bearing": "Bearing of the shift (°)",
        "cat.compass.N": "N",
        "cat.compass.NE": "NE",
        "cat.compass.E": "E",
        "cat.compass.SE": "SE",
        "cat.compass.S": "S",
        "cat.compass.SW": "SW",
        "cat.compass.W": "W",
        "cat.compass.NW": "NW",
        "figure.ellipse_map": "Standard deviational ellipses of the development potential and the path of its "
                              "centre, {first}–{last}",
        "plot.fig_ellipse": "Standard deviational ellipses and the shift of the centre, {first}–{last}",
        "plot.ellipse_legend": "Standard deviational ellipse\ncorrection: {correction}",
        "plot.ellipse_year": "{year}",
        "plot.ellipse_path": "Path of the centre",
        "plot.ellipse_points": "Region points",
        "plot.ellipse_path_title": "Path of the centre (from the {first} centre)",
        "plot.ellipse_east": "Eastward (km)",
        "plot.ellipse_north": "Northward (km)",
        "plot.ellipse_x": "x (km)",
        "plot.ellipse_y": "y (km)",
        "methods.ellipse.heading": "Standard deviational ellipse and the shift of the centre",
        "methods.ellipse.text": (
            "Each region is located at {points}, projected to the {projection}, in km. Weighting each region "
            "by its score of the year, w_{{i}}, the weighted mean centre is eq. ({eq1}); the direction of the "
            "major axis follows from the weighted covariances by eq. ({eq2}), and the rotation θ is the angle of "
            "the major axis measured clockwise from north (0°–180°). The standard deviations along the major and "
            "minor axes are eq. ({eq3}) ({correction}) and the area of the ellipse is eq. ({eq4}). The shift of "
            "the centre between consecutive years is {shift}, its bearing measured clockwise from north and put "
            "into eight 45° compass sectors."),
        "methods.ellipse.points.centroid": "the centroid of its main polygon in an equal-area projection (a point "
                                           "inside the polygon where the centroid falls outside)",
        "methods.ellipse.points.surface": "a representative point inside its polygon (point on surface)",
        "methods.ellipse.points.capital": "its provincial capital",
        "methods.ellipse.points.given": "the coordinates given by the user",
        "methods.ellipse.projection.albers_china": "Albers equal-area conic projection (standard parallels "
                                                   "25°N and 47°N, central meridian 105°E)",
        "methods.ellipse.projection.given": "plane of the coordinates given by the user (not reprojected)",
        "methods.ellipse.shift.geodesic": "the geodesic distance on the WGS 84 ellipsoid",
        "methods.ellipse.shift.planar": "measured in the plane of the coordinates",
        "methods.ellipse.correction.arcgis": "multiplied by √2, as in ArcGIS's Standard Deviational Ellipse "
                                             "tool",
        "methods.ellipse.correction.crimestat": "multiplied by √2·√(n/(n−2)), the default of CrimeStat and "
                                                "pointpats",
        "methods.ellipse.correction.none": "uncorrected: the weighted standard deviation along each axis "
                                           "(Yuill 1971)",
        "conv.ellipse": "Standard deviational ellipse",
        "convtext.ellipse.arcgis": (
            "weights are the scores; σ = √2·√λ (λ the eigenvalues of the weighted covariance matrix, as "
            "ArcGIS); sd_y is the major and sd_x the minor standard deviation; the rotation is the angle of the "
            "major axis clockwise from north (0°–180°); area π·sd_x·sd_y"),
        "convtext.ellipse.crimestat": (
            "weights are the scores; σ = √2·√(n/(n−2))·√λ (λ the eigenvalues of the weighted covariance "
            "matrix, as CrimeStat and pointpats); sd_y is the major and sd_x the minor standard deviation; the "
            "rotation is the angle of the major axis clockwise from north (0°–180°); area π·sd_x·sd_y"),
        "convtext.ellipse.none": (
            "weights are the scores; σ = √λ (λ the eigenvalues of the weighted covariance matrix, "
            "uncorrected); sd_y is the major and sd_x the minor standard deviation; the rotation is the angle "
            "of the major axis clockwise from north (0°–180°); area π·sd_x·sd_y"),
        "meta.ellipse_points": "Standard ellipse: region locations",
        "meta.ellipse_correction": "Standard ellipse: correction",
        "meta.ellipse_projection": "Standard ellipse: projection",
        "meta.ellipse_coordinates": "Standard ellipse: coordinates file",
        "meta.ellipse_skipped": "Standard ellipse",
        "value.centroid": "centroid of the main polygon",
        "value.surface": "point inside the polygon",
        "value.capital": "provincial capital",
        "value.arcgis": "√2 (ArcGIS)",
        "value.crimestat": "√2·√(n/(n−2)) (CrimeStat, pointpats)",
        "value.albers_china": "Albers equal-area conic (25°N, 47°N, 105°E)",
        "value.no_coordinates": "not computed: the regions have no administrative codes and no coordinates "
                                "were given",
    },
}

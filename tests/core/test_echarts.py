"""The ECharts helpers: options are plain JSON a browser can parse."""

import json

import numpy as np

from ui import echarts


def test_values_are_json_numbers_with_gaps_for_missing_ones():
    out = echarts.values(np.array([1.234567, np.nan, np.inf, -2], dtype=np.float32), digits=3)
    assert out == [1.235, None, None, -2.0]
    assert json.loads(json.dumps(out, allow_nan=False)) == out  # strict JSON: no NaN tokens


def test_options_keep_the_defaults_and_take_the_parts():
    spec = echarts.option(title=echarts.title("t"), series=[{"type": "bar", "data": [1]}])
    assert spec["animation"] is False and spec["title"]["text"] == "t"
    assert spec["series"] == [{"type": "bar", "data": [1]}]
    assert "series" not in echarts.BASE  # the shared defaults are not changed by a chart


def test_two_charts_side_by_side_keep_their_axes_series_colour_bar_and_legend():
    heat = echarts.option(
        aria={"enabled": True, "label": {"description": "Heat."}},
        grid={"left": 10, "right": 10, "top": 10, "bottom": 55}, xAxis={"type": "category", "data": ["a"]},
        yAxis={"type": "category", "data": ["x", "y"]},
        visualMap=echarts.colour_bar(-1, 1, echarts.RDBU, orient="horizontal", left="center", bottom=0),
        series=[{"type": "heatmap", "data": [[0, 0, 1]]}, {"type": "heatmap", "data": [[0, 1, -1]]}])
    scatter = echarts.option(
        aria={"enabled": True, "label": {"description": "Dots."}}, legend={"right": 0},
        grid={"left": 50, "right": 110, "top": 20, "bottom": 45}, xAxis={"type": "value"}, yAxis={"type": "value"},
        series=[{"type": "scatter", "name": "cluster 0", "data": [[1, 2]]},
                {"type": "scatter", "name": "cluster 1", "data": [[3, 4]]}])
    spec, height = echarts.side_by_side(heat, 200, scatter, 520, split=0.4)
    assert height == 520
    assert [s["type"] for s in spec["series"]] == ["heatmap", "heatmap", "scatter", "scatter"]
    assert [(s["xAxisIndex"], s["yAxisIndex"]) for s in spec["series"]] == [(0, 0)] * 2 + [(1, 1)] * 2
    assert [a["gridIndex"] for a in spec["xAxis"]] == [0, 1] and spec["yAxis"][0]["data"] == ["x", "y"]
    left, right = spec["grid"]
    assert left["right"] == "60%" and left["height"] == 200 - 10 - 55  # each at its own height
    assert right["left"] == "48%" and right["height"] == 520 - 20 - 45 and "bottom" not in right
    assert spec["visualMap"]["seriesIndex"] == [0, 1] and spec["visualMap"]["top"] < 200  # under the heatmap
    assert spec["legend"]["data"] == ["cluster 0", "cluster 1"]  # the heatmap's series are not in it
    assert spec["aria"]["label"]["description"] == "Heat. Dots."
    assert "gridIndex" not in heat["xAxis"] and heat["grid"]["right"] == 10  # the parts are not changed
    json.dumps(spec, allow_nan=False)

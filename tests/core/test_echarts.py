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

from hcoc.lib.charts import bar_chart, nice_max


def test_the_axis_top_is_a_round_number_at_or_above_the_largest_value():
    assert [nice_max(v) for v in (0, 1, 7, 12, 26, 99, 101, 4000)] == [
        1,
        1,
        10,
        20,
        50,
        100,
        200,
        5000,
    ]


def test_bars_are_proportional_to_their_values_and_sit_on_the_same_base():
    chart = bar_chart([("2024", 10), ("2025", 20)])
    a, b = chart["bars"]
    assert b["h"] == 2 * a["h"]
    assert a["y"] + a["h"] == b["y"] + b["h"] == chart["base"]
    assert a["x"] < b["x"]


def test_a_percentage_chart_tops_at_100_percent():
    chart = bar_chart([("2025", 50)], percent=True)
    assert chart["ticks"][-1]["text"] == "100%" and chart["bars"][0]["text"] == "50%"
    assert chart["bars"][0]["h"] == (chart["base"] - chart["ticks"][-1]["y"]) / 2

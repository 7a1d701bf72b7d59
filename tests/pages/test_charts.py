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


def test_a_year_without_data_is_a_gap_not_a_bar_of_zero():
    chart = bar_chart([("2023", None), ("2024", 40), ("2025", None)], percent=True)
    gap, bar, _ = chart["bars"]
    assert gap["value"] is None and gap["h"] == 0 and gap["text"] == "no data"
    assert bar["h"] > 0 and chart["gaps"]
    assert not bar_chart([("2024", 3)])["gaps"]
    # The axis is scaled to the data there is.
    assert bar_chart([("2023", None), ("2024", 7)])["ticks"][-1]["text"] == "10"


def test_axis_labels_are_legible_and_neither_overlap_nor_leave_the_drawing():
    years = [(str(y), y - 2000) for y in range(2002, 2026)]
    chart = bar_chart(years)
    width = len("2002") * 0.6 * chart["font"]  # a digit is about 0.6 em
    shown = [b["label_x"] for b in chart["bars"] if b["show_label"]]
    assert len(shown) >= 6  # enough years named to read the axis
    assert all(b - a > width for a, b in zip(shown, shown[1:], strict=False))
    assert shown[0] - width / 2 >= 0 and shown[-1] + width / 2 <= chart["width"]
    tick = max(len(t["text"]) for t in chart["ticks"]) * 0.6 * chart["font"]
    assert chart["left"] - 4 - tick >= 0  # the value labels fit left of the axis
    # Drawn at a third of a wide screen (about 390 px), the text is at least 11 px high.
    assert chart["font"] * 390 / chart["width"] >= 11

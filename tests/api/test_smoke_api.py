from support.bodies import pln


def test_a_french_submitter_submits_and_a_japanese_reader_reads_it(api, personas):
    r = api.post("/notifications", personas["fra_submitter"], json=pln())
    assert r.status_code == 201, r.text
    ref = r.json()["reference"]
    assert ref.startswith("FRA-")
    got = api.get(f"/notifications/{ref}", personas["jpn_reader"])
    assert got.status_code == 200
    assert got.json()["launch_area"] == {"site_id": "FRA-KOUROU"}

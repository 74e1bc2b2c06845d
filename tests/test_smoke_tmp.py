def test_cast(cast, client_for):
    c = client_for(cast.coordinator)
    for url in ["/", "/g/saint-orens/", "/g/saint-orens/manage/members/", "/g/saint-orens/manage/requests/", "/g/saint-orens/manage/settings/", "/account/", f"/g/saint-orens/manage/members/{cast.membership(cast.member).pk}/", "/g/saint-orens/members/", "/g/saint-orens/manage/members/add/"]:
        r = c.get(url)
        assert r.status_code == 200, (url, r.status_code)
    r = c.get("/g/saint-orens/manage/members/", {"q": "marie"}, headers={"HX-Request": "true"})
    assert b"Marie" in r.content and b"<html" not in r.content

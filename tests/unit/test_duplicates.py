"""The duplicate-listing rule, without AWS."""
from chalicelib.domain import duplicates

SHA = "ab" * 32


def product(erp_id, name, sha=SHA, **attributes):
    return {"erp_product_id": erp_id, "name": name, "main_image_sha256": sha, "attributes": attributes}


def test_same_image_title_and_attributes_is_a_duplicate():
    assert duplicates.duplicate_of(product("B", "阿莫西林胶囊 24粒", 颜色="白"),
                                   [product("A", "阿莫西林胶囊 24粒", 颜色="白")]) == "A"


def test_title_normalisation_case_width_spaces_and_punctuation():
    a = product("A", "Vitamin-C  Tablets, 100粒")
    b = product("B", "ＶＩＴＡＭＩＮ Ｃ tablets（100粒）", sha=SHA.upper())
    assert duplicates.is_duplicate(b, a)


def test_nearly_identical_title_is_a_duplicate():
    a = product("A", "维生素C咀嚼片 100粒 橙子味 家庭装")
    b = product("B", "维生素C咀嚼片 100粒 橙子味 家庭装!新")
    assert duplicates.near_identical_titles(a["name"], b["name"])
    assert duplicates.is_duplicate(b, a)


def test_a_title_that_differs_more_is_not():
    assert not duplicates.near_identical_titles("维生素C咀嚼片 橙子味", "钙片 牛奶味")


def test_a_different_number_in_the_title_is_a_different_product():
    assert not duplicates.near_identical_titles("阿莫西林胶囊 0.25g 24粒 家庭装", "阿莫西林胶囊 0.5g 24粒 家庭装")


def test_variants_with_different_attributes_are_allowed():
    assert not duplicates.is_duplicate(product("B", "T恤", 尺码="L"), product("A", "T恤", 尺码="M"))
    assert not duplicates.is_duplicate(product("B", "T恤", 尺码="L", 颜色="红"), product("A", "T恤", 尺码="L"))


def test_attribute_comparison_is_normalised():
    assert duplicates.is_duplicate(product("B", "T恤", **{"Size": " Ｌ "}), product("A", "T恤", size="l"))


def test_different_or_unknown_image_is_not_a_duplicate():
    assert not duplicates.is_duplicate(product("B", "T恤", sha="cd" * 32), product("A", "T恤"))
    assert not duplicates.is_duplicate(product("B", "T恤", sha=None), product("A", "T恤", sha=None))
    url_only = {"erp_product_id": "B", "name": "T恤", "main_image_url": "https://x/a.jpg"}
    assert not duplicates.is_duplicate(url_only, dict(url_only, erp_product_id="A"))


def test_a_product_is_not_its_own_duplicate():
    assert duplicates.duplicate_of(product("A", "T恤"), [product("A", "T恤")]) is None

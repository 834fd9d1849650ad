"""Price resolution and province names, without AWS."""
from chalicelib.domain import pricing, regions

PRODUCT = {"default_price": "12.50", "region_prices": {"south": "11.00", "coast": "10.80"},
           "customer_level_prices": {"vip": "9.90", "gold": "9.50"}}


def test_customer_level_beats_region_beats_default():
    assert pricing.resolve(PRODUCT, ["vip"], ["south"]) == ("9.90", "customer_level")
    assert pricing.resolve(PRODUCT, ["other"], ["south"]) == ("11.00", "region")
    assert pricing.resolve(PRODUCT, [], []) == ("12.50", "default")


def test_lowest_of_several_groups_applies():
    assert pricing.resolve(PRODUCT, ["vip", "gold"], []) == ("9.50", "customer_level")
    assert pricing.resolve(PRODUCT, [], ["south", "coast"]) == ("10.80", "region")


def test_no_price_at_all():
    assert pricing.resolve({}, [], []) == (None, None)


def test_money_keeps_two_places_without_float():
    assert pricing.resolve({"default_price": "3"}, [], []) == ("3.00", "default")


def test_province_long_and_short_forms():
    assert regions.province_key("广东省") == regions.province_key(" 广东 ") == "广东"
    assert regions.province_key("广西壮族自治区") == "广西"
    assert regions.province_key("新疆维吾尔自治区") == "新疆"
    assert regions.province_key("北京市") == "北京"
    assert regions.province_key("香港特别行政区") == "香港"


def test_groups_of_province():
    groups = [{"region_group_id": "south", "provinces": ["广东省", "广西壮族自治区"]},
              {"region_group_id": "north", "provinces": ["北京"]}]
    assert regions.groups_of_province("广西", groups) == ["south"]
    assert regions.groups_of_province("北京市", groups) == ["north"]
    assert regions.groups_of_province(None, groups) == []

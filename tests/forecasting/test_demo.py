from forecasting.demo import PACK_SIZES, PRODUCTS, demo_items


def test_demo_catalogue_has_150_items_each_with_pack_sizes():
    items = demo_items()
    assert len(items) == 150
    assert len({name for name, _, _ in items}) == 150
    assert {unit for _, unit, _, _ in PRODUCTS} <= set(PACK_SIZES)

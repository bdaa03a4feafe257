"""plait-textcat passes the plugin contract suite (plait.testing), as any third-party plugin would."""


def test_textcat_passes_the_plugin_contract(plait_contract):
    data = [("The team won the match.", {"cats": {"SPORTS": 1.0, "TECH": 0.0}}),
            ("A new phone and a faster chip.", {"cats": {"SPORTS": 0.0, "TECH": 1.0}}),
            ("The striker scored twice.", {"cats": {"SPORTS": 1.0, "TECH": 0.0}})]
    result = plait_contract("textcat", data, labels=["SPORTS", "TECH"], dist="plait-textcat")
    assert set(result["outputs"]["example"]) == {"SPORTS", "TECH"}

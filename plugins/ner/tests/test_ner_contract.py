"""plait-ner passes the plugin contract suite (plait.testing), as any third-party plugin would."""


def test_ner_passes_the_plugin_contract(plait_contract):
    data = [("Apple opened a store in London.", {"entities": [(0, 5, "ORG"), (24, 30, "GPE")]}),
            ("The team lost in Paris.", {"entities": [(17, 22, "GPE")]}),
            ("Google hired staff.", {"entities": [(0, 6, "ORG")]})]
    result = plait_contract("ner", data, labels=["ORG", "GPE"], dist="plait-ner")
    assert result["outputs"]["empty"] == []

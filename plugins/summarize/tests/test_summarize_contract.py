"""plait-summarize passes the plugin contract suite (plait.testing), as any third-party plugin would."""


def test_summarizer_passes_the_plugin_contract(plait_contract):
    data = [("Apple opened a store in London. The staff were great. It rained.", {},
             {"plait.summary": "Apple opened a store in London."}),
            ("The team lost the match in Paris. It was bad. Fans left early.", {},
             {"plait.summary": "The team lost the match in Paris."})]
    result = plait_contract("summarize", data, dist="plait-summarize")
    assert isinstance(result["outputs"]["long"], str)

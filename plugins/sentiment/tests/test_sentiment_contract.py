"""plait-sentiment passes the plugin contract suite (plait.testing), as any third-party plugin would."""
THREE = ["negative", "neutral", "positive"]


def _cats(label):
    return {"cats": {x: float(x == label) for x in THREE}}


def test_sentiment_passes_the_plugin_contract(plait_contract):
    data = [("I love this great movie.", _cats("positive")),
            ("This was bad. I hate it.", _cats("negative")),
            ("The film is in London.", _cats("neutral"))]
    result = plait_contract("sentiment", data, labels=THREE, dist="plait-sentiment")
    assert set(result["outputs"]["example"]["scores"]) == set(THREE)

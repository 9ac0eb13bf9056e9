"""Build the JSON Dash's renderer POSTs to /_dash-update-component, from the app's own callback map.

The body has the same shape the browser sends (output, outputs, inputs, state, changedPropIds),
so a test client can replay a callback as a person's browser would, or forge one.
"""
import base64
import json
import re
from pathlib import Path

ORIGIN = "http://localhost"


def _split_outputs(key: str) -> list[dict]:
    parts = key[2:-2].split("...") if key.startswith("..") else [key]
    return [dict(zip(("id", "property"), part.rsplit(".", 1))) for part in parts]


def callback_key(app, first_output: str, input_id: str | None = None) -> str:
    """The callback-map key whose first output is `first_output` (id.property, @hash ignored)."""
    for key, spec in app.callback_map.items():
        outputs = _split_outputs(key)
        # A key Dash cannot split into id.property (some clientside outputs) is never the one asked for.
        if "property" not in outputs[0] or outputs[0]["id"] + "." + outputs[0]["property"].split("@")[0] != first_output:
            continue
        if input_id is None or any(input_id in item["id"] for item in spec["inputs"]):
            return key
    raise KeyError(first_output)


def payload(app, first_output: str, values: dict, changed: str, input_id: str | None = None) -> dict:
    """values: "id.property" -> value for inputs and state (missing ones are None).

    A wildcard (ALL) input is given as values["<type>.<property>"] = list of {"id": {...}, "value": ...}.
    """
    key = callback_key(app, first_output, input_id)
    spec = app.callback_map[key]
    outputs = _split_outputs(key)

    def entries(items):
        result = []
        for item in items:
            if item["id"].startswith("{"):
                pattern = json.loads(item["id"])
                given = values.get(f"{pattern['type']}.{item['property']}", [])
                result.append([{"id": entry["id"], "property": item["property"], "value": entry["value"]}
                               for entry in given])
            else:
                result.append({"id": item["id"], "property": item["property"],
                               "value": values.get(f"{item['id']}.{item['property']}")})
        return result

    return {"output": key, "outputs": outputs if key.startswith("..") else outputs[0],
            "inputs": entries(spec["inputs"]), "changedPropIds": [changed], "state": entries(spec["state"])}


def post(client, body: dict, origin: str | None = ORIGIN):
    headers = {"Origin": origin} if origin else {}
    return client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json",
                       headers=headers)


def data_url(path: Path) -> str:
    return "data:text/csv;base64," + base64.b64encode(Path(path).read_bytes()).decode()


def sign_in(client, username: str, password: str, lang: str = "en"):
    page = client.get(f"/login?lang={lang}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token,
                                       "next": "/", "lang": lang})


def csrf_of(client) -> str:
    page = client.get("/login").get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    if match:
        return match.group(1)
    layout = client.get("/_dash-layout").get_data(as_text=True)
    return re.search(r'"name": ?"csrf_token", ?"value": ?"([^"]+)"', layout).group(1)

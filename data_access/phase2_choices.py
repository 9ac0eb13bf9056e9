"""The Phase II proposal for one set of choices, read through store.read: the /phase2 page and the mission report share it."""
from collections.abc import Callable

from data_access.phase2_proposal import build_proposal, proposal_parameters
from data_access.queries.phase2 import COMPONENTS, phase2_inputs, phase2_settings


def proposal_for(read: Callable, period: str, weights: dict, count: int, exclude_phase1: bool,
                 ticked: list[str] | None) -> tuple[dict, dict, dict]:
    """(proposal, inputs, settings) as of `period`: weights of unavailable components count as 0.

    `read(query, *args)` is store.read (or a plain connection reader); count is the top N,
    ticked the districts chosen by hand (None: the top N).
    """
    inputs = read(phase2_inputs, period)
    settings = read(phase2_settings, period)
    available = inputs["available"]
    used = {name: (float(weights.get(name) or 0) if available[name] else 0.0) for name in COMPONENTS}
    params = proposal_parameters(settings["settings"], settings["rate"])
    proposal = build_proposal(inputs, params, COMPONENTS, used, int(count), bool(exclude_phase1), ticked)
    return proposal, inputs, settings

"""The coverage plan: a small set of options that meets every need together, and for needs nothing in reach
meets, the nearest eligible provider anywhere."""

from matching.options import build_option, sort_key
from matching.results import MatchOption, UncoveredNeed


def coverage_plan(options: list[MatchOption], needs: tuple[str, ...]) -> tuple[list[MatchOption], set[str]]:
    """Greedy set cover: repeatedly take the option meeting most still-uncovered needs (nearer first on
    ties, then better ranked); return the chosen options and the needs they cover."""
    uncovered, chosen = set(needs), []
    # (option, the needs it meets, its place in the ranking), worked out once rather than at every step.
    pool = [(option, frozenset(option.needs_met), place) for place, option in enumerate(sorted(options, key=sort_key))]
    infinity = float("inf")
    while uncovered and pool:
        best = min(
            pool,
            key=lambda entry: (
                -len(uncovered & entry[1]),
                entry[0].distance_m if entry[0].distance_m is not None else infinity,
                entry[2],
            ),
        )
        if not uncovered & best[1]:
            break
        chosen.append(best[0])
        uncovered -= best[1]
        pool.remove(best)
    return chosen, set(needs) - uncovered


def nearest_beyond(request, origin, access, taxonomy, expanded, codes, now, facts, beyond) -> list[UncoveredNeed]:
    """For needs nothing in reach meets: the nearest eligible provider anywhere, from the beyond rows (a few
    per need, so that the nearest one passing the same checks, such as open now, can be named)."""
    best: dict[str, MatchOption] = {}
    for offer_id, code, distance_m in beyond:
        if code not in codes:
            continue
        option = build_option(
            facts[offer_id], access=access, origin=origin, distance_m=distance_m, in_service_area=False,
            request=request, expanded=expanded, now=now,
        )  # fmt: skip
        if request.open_now and option.open_now is not True:
            continue
        if code not in best or _by_distance(option) < _by_distance(best[code]):
            best[code] = option
    return [UncoveredNeed(taxonomy.terms[code], best.get(code), request.radius_m, request.open_now) for code in codes]


def _by_distance(option: MatchOption) -> tuple:
    return (option.distance_m if option.distance_m is not None else float("inf"), option.facts.offer_id)

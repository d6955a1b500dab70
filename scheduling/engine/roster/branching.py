"""Branch and price: the last unit or two between column generation's bound and the best roster.

Where column generation converges, its bound lies within a unit or two of the best roster on
small problems, yet the neighbourhood search can stop above it: on Curtois-Qu Instance6 every
roster it ends with costs 1951 against an optimum of 1950, and a roster of 1950 differs from
them in more members and days than any neighbourhood it solves. Branch and price searches the
rosters the master mixes instead. A node is a list of decisions, each on one member's cell:
that member works that shift that day, or does not. The node's pricers and master honour its
decisions, the generation converges again under them, and its Lagrangian bound then bounds
every roster below it: a node that cannot beat the best roster is cut off, and a node whose
master works every cell wholly is a roster.

The tree is searched depth first from the most fractional cells, the choice among the nearly
as fractional made at random, and restarted with a node limit that grows each time: a
depth-first search that takes a wrong turn near the root can spend the whole time limit under
it (Instance6 from a roster of 1952: no better one in 40 s depth first, 1950 in 2-12 s with
restarts). A search that runs out of nodes before its limit has seen every roster that could be
better: the best roster is then proven optimal. Given the bound, the first trees look only for
rosters cheaper than one unit above it: such a tree, pruned far harder, is often seen whole in a
few nodes, which raises the bound by one (Instance8 1298 against the generation's 1297).
"""

from __future__ import annotations

import math
import random
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from .columns import TOLERANCE, ColumnGeneration, MasterError, _price_all, _roster_of
from .model import RosterModel
from .neighbourhood import Incumbent, complete

Cell = tuple[int, str]  # day, shift code
# A decision on one member's cell: (staff id, cell, whether the member works it).
Decision = tuple[str, Cell, bool]
# Nodes searched before the first restart; each restart allows this factor more.
FIRST_NODE_LIMIT = 100
NODE_LIMIT_GROWTH = 1.3
# A cell is chosen at random among those whose worked share lies within this of the most
# fractional one's distance from a half.
CHOICE_WINDOW = 0.1
# A cell's worked share this close to 0 or 1 counts as whole.
WHOLE = 1e-4


class _OutOfTime(Exception):
    pass


@dataclass
class BranchResult:
    incumbent: Incumbent
    # Every roster that could be better was searched: ``incumbent`` is optimal.
    proven: bool
    nodes: int
    # No roster costs less than this (the bound given, or above it where a search below a
    # target saw its whole tree).
    bound: float = -math.inf


@dataclass
class _Node:
    decisions: tuple[Decision, ...]
    bound: float  # the parent's: a node's own bound is never below it


class BranchAndPrice:
    """Depth-first branch and price over a converged column generation (its last use: the
    members' pricers and the master keep the decisions of the last node searched)."""

    def __init__(self, generation: ColumnGeneration, roster_model: RosterModel, seed: int) -> None:
        self.workers = generation.workers
        self.master = generation.master
        # Every node prices every member again: by the state program, even where CP-SAT
        # priced the generation (its search offers the master more rosters, but priced by it
        # Instance6's search made 102 nodes in 24 s, by the program 257 in 18 s).
        self.pricers = {
            staff_id: pricer if pricer.program is not None else pricer.with_program()
            for staff_id, pricer in generation.pricers.items()
        }
        self.roster_model = roster_model
        self.rng = random.Random(seed)
        # Each member's decisions last applied; none yet, so the first node lifts whatever the
        # dive forced.
        self.applied: dict[str, tuple[frozenset, frozenset]] = {}
        self.nodes = 0
        # False once a node was cut off for want of time rather than proof (a member's pricing
        # ran out of time): the search can then no longer prove its roster optimal.
        self.exhaustive = True

    def search(
        self,
        incumbent: Incumbent,
        deadline: float,
        on_improvement: Callable[[Incumbent], None],
        bound: float = -math.inf,
    ) -> BranchResult:
        """The best roster found until ``deadline``, starting from ``incumbent``: each better
        one goes to ``on_improvement``.

        With ``bound`` (no roster costs less), the tree is first searched for rosters cheaper
        than one unit above it only, which prunes far more: a search that sees that whole tree
        raises the bound by one, and the next target is one unit higher, until it reaches the
        best roster's cost."""
        self.incumbent = incumbent
        self.on_improvement = on_improvement
        self.target = math.inf if bound == -math.inf else math.ceil(bound - TOLERANCE) + 1
        limit = float(FIRST_NODE_LIMIT)
        try:
            with ThreadPoolExecutor(self.workers) as pool:
                while time.monotonic() < deadline:
                    if not self._search_tree(pool, int(limit), deadline):
                        # A target tree not seen whole in its first limit is left for the
                        # search for better rosters, which prunes by the best roster's cost.
                        self.target = math.inf
                        limit *= NODE_LIMIT_GROWTH
                        continue
                    if self._cutoff() >= self.incumbent.objective:
                        return BranchResult(self.incumbent, self.exhaustive, self.nodes, bound)
                    if self.exhaustive:
                        bound, self.target = self.target, self.target + 1
                        limit = float(FIRST_NODE_LIMIT)
                    else:  # a node was cut off for want of time: the tree proves nothing
                        self.target = math.inf
        except (_OutOfTime, MasterError):
            pass
        return BranchResult(self.incumbent, False, self.nodes, bound)

    def _cutoff(self) -> float:
        """Nodes whose bound reaches this are cut off: the best roster's cost, or the target
        below it."""
        return min(self.incumbent.objective, self.target)

    def _search_tree(self, pool, node_limit: int, deadline: float) -> bool:
        """One depth-first search from the root, of ``node_limit`` nodes at most; whether it
        saw the whole tree."""
        stack = [_Node((), -math.inf)]
        for _ in range(node_limit):
            if not stack:
                return True
            node = stack.pop()
            self.nodes += 1
            self._apply(node.decisions)
            bound = self._converge(pool, node.bound, deadline)
            if bound is None:
                continue
            fractional = self._fractional_cells()
            self._offer_roster()
            if not fractional:
                continue
            stack += self._children(node, fractional, bound)
        return not stack

    def _apply(self, decisions: tuple[Decision, ...]) -> None:
        """Restrict the pricers and the master to ``decisions``, re-doing only the members
        whose decisions differ from the last node's."""
        forced: dict[str, set[Cell]] = defaultdict(set)
        forbidden: dict[str, set[Cell]] = defaultdict(set)
        for staff_id, cell, works in decisions:
            (forced if works else forbidden)[staff_id].add(cell)
        for staff_id in self.pricers:
            self._restrict(
                staff_id,
                frozenset(forced.get(staff_id, ())),
                frozenset(forbidden.get(staff_id, ())),
            )

    def _restrict(self, staff_id: str, forced: frozenset, forbidden: frozenset) -> None:
        if self.applied.get(staff_id) == (forced, forbidden):
            return
        self.pricers[staff_id].restrict(forced, forbidden)
        self.master.restrict(staff_id, set(forced), set(forbidden))
        self.applied[staff_id] = (forced, forbidden)

    def _converge(self, pool, bound: float, deadline: float) -> float | None:
        """The node's generation converged again: its bound, or None where the node is cut
        off (it cannot beat the best roster, or some member has no roster within its
        decisions)."""
        pricers = list(self.pricers.values())
        while True:
            _, duals, member_duals = self.master.solve()
            prices = _price_all(pool, pricers, duals, deadline, member_duals)
            if time.monotonic() >= deadline:
                raise _OutOfTime
            if any(price is None for price in prices):
                self.exhaustive &= all(
                    pricer.proven_empty
                    for pricer, price in zip(pricers, prices, strict=True)
                    if price is None
                )
                return None
            lower = sum(price.lower for price in prices)
            bound = max(bound, self.master.lagrangian(duals, lower))
            if math.ceil(bound - TOLERANCE) >= self._cutoff():
                return None
            if not self.master.add_improving(prices, duals, member_duals):
                return bound

    def _fractional_cells(self) -> list[tuple[float, str, Cell]]:
        """Each member's cells its mix works in part, with the share worked."""
        cells = []
        for staff_id in self.master.mixed:
            worked = self.master.worked_shares(staff_id)
            cells += [
                (share, staff_id, cell)
                for cell, share in worked.items()
                if WHOLE < share < 1 - WHOLE
            ]
        return cells

    def _children(
        self, node: _Node, fractional: list[tuple[float, str, Cell]], bound: float
    ) -> list[_Node]:
        """The two children of a node on one of its most fractional cells, the one to search
        first last: working the cell with the probability of its share worked."""
        nearest = min(abs(share - 0.5) for share, _, _ in fractional)
        near = [f for f in fractional if abs(f[0] - 0.5) <= nearest + CHOICE_WINDOW]
        share, staff_id, cell = self.rng.choice(near)
        works = _Node((*node.decisions, (staff_id, cell, True)), bound)
        rests = _Node((*node.decisions, (staff_id, cell, False)), bound)
        return [rests, works] if self.rng.random() < share else [works, rests]

    def _offer_roster(self) -> None:
        """The roster of each member's heaviest column in the node's mix, taken if better than
        the best. Where the mix is whole it is the node's only roster; elsewhere it is often
        close to the node's bound (the mixes are nearly whole deep in the tree)."""
        heaviest = self.master.heaviest({})
        if self.master.cost_of(heaviest) >= self.incumbent.objective:
            return
        found = complete(self.roster_model, _roster_of(heaviest), 10.0)
        if found is not None and found.objective < self.incumbent.objective:
            self.incumbent = found
            self.on_improvement(found)

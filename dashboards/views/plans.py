"""Plan review page, for review by exception: a summary, the stress evidence, the lines
most urgent first (filter and sort them in the column headers; a disposition line — QC's
restock / repair / scrap of returned units — names its decision), approve / reject (managers
only), and what will be published.

Every decision goes to the plan store as the signed-in user, after checking that the
login still stands; the store checks the role and the status transition and its refusal
is shown as it words it. Approving every line (nothing ticked) first asks for a
confirmation naming the counts. The page opens on the newest plan awaiting a decision.
"""

from collections import Counter

import pandas as pd
import panel as pn
import param
from panel.viewable import Viewer

from dashboards.auth import Login
from dashboards.data import DataStore, plan_lines, plan_summary
from medtwin.services.plans import REFUSED, Permission


def count_by_kind(kinds: list[str]) -> str:
    """``['transfer', 'transfer', 'purchase']`` → ``2 lines (2 transfers, 1 purchase)``."""
    parts = [f"{n} {k.replace('_', ' ')}{'s' if n != 1 else ''}"
             for k, n in sorted(Counter(kinds).items(), key=lambda kn: (-kn[1], kn[0]))]
    return f"{len(kinds)} line{'s' if len(kinds) != 1 else ''} ({', '.join(parts)})"


CHOICE = {"type": "list", "func": "in", "valuesLookup": True, "sort": "asc",
          "multiselect": True}
TEXT = {"type": "input", "func": "like", "placeholder": "contains"}
LINE_FILTERS = {"kind": CHOICE, "decision": CHOICE, "priority": CHOICE, "org": CHOICE, "item": TEXT,
                "from": TEXT, "to": TEXT,
                "cold_chain": {"type": "tickCross", "tristate": True,
                               "indeterminateValue": None},
                "cost": {"type": "number", "func": ">=", "placeholder": "at least"}}
"""Header filters of the lines table (Tabulator's)."""


class PlanReview(Viewer):
    """Review one stored plan as the signed-in user; approve and reject exist only for a
    manager."""

    data = param.ClassSelector(class_=DataStore)
    login = param.ClassSelector(class_=Login)
    plan_id = param.Selector(objects=[])
    message = param.String(default="")
    refused = param.Boolean(default=False, doc="the last act was refused")
    pending = param.List(default=None, allow_None=True, item_type=str,
                         doc="line keys of an approve-all awaiting confirmation")

    def __init__(self, **params: object):
        super().__init__(**params)
        self.comment = pn.widgets.TextInput(label="Comment", placeholder="why",
                                            sizing_mode="stretch_width")
        self.lines = pn.widgets.Tabulator(pd.DataFrame(), disabled=True, show_index=False,
                                          selectable="checkbox", css_classes=["plan-lines"],
                                          sizing_mode="stretch_width", pagination="local",
                                          page_size=50, header_filters=LINE_FILTERS,
                                          formatters={"cold_chain": {"type": "tickCross"},
                                                      "approved": {"type": "tickCross"}})
        self.refresh()

    @property
    def user(self) -> str:
        return str(self.login.user)

    def refresh(self) -> None:
        """Re-list the plans in the store (labelled with their status) and open the newest
        awaiting a decision."""
        if self._relabel() and self.plan_id not in self.param.plan_id.objects:
            self.plan_id = self.data.plans().opening()
        self._load_lines()

    def _relabel(self) -> list[str]:
        """Label the plans in the selector with their status; their ids."""
        plans = {f"{p.id} ({p.status})": p.id for p in self.data.plans().list()}
        self.param.plan_id.objects = plans
        return list(plans.values())

    @param.depends("plan_id", watch=True)
    def _load_lines(self) -> None:
        self.pending, self.message, self.refused = None, "", False
        if self.plan_id:
            self._fill_lines()

    def _fill_lines(self) -> None:
        store = self.data.plans()
        self.lines.value = plan_lines(store.plan(self.plan_id), self.data.network(),
                                      store.approved_keys(self.plan_id))
        self.lines.selection = []

    @staticmethod
    def summary(lines: pd.DataFrame) -> pn.viewable.Viewable:
        """Lines, critical lines, units and cost per kind of line of the plan."""
        if lines.empty:
            return pn.Column()
        return pn.Column("### Summary", pn.widgets.Tabulator(
            plan_summary(lines), disabled=True, show_index=False,
            css_classes=["plan-summary"]))

    @param.depends("plan_id", "message")
    def status(self) -> pn.viewable.Viewable:
        """Status, decisions so far and the stress evidence."""
        if not self.plan_id:
            return pn.pane.Markdown("No plans in the store yet.")
        store = self.data.plans()
        info = store.info(self.plan_id)
        text = [f"**{info.id}** — status **{info.status}**; {info.lines} lines, "
                f"{info.approved_lines} approved, {info.published_lines} published."]
        text += [f"- {d.time} {d.user}: {d.decision} — {d.comment}"
                 for d in store.decisions(self.plan_id)]
        parts: list = [pn.pane.Markdown("\n".join(text), css_classes=["plan-status"])]
        parts.append("### Stress evidence (per scenario)")
        found = store.evidence(self.plan_id)
        if found.problem is not None:
            parts.append(pn.pane.Markdown(f"None: {found.problem}."))
        else:
            parts.append(pn.widgets.Tabulator(
                pd.DataFrame([vars(r) for r in found.rows]).round(4), disabled=True,
                show_index=False, css_classes=["stress-evidence"]))
        return pn.Column(*parts)

    @param.depends("message")
    def outcome(self) -> pn.viewable.Viewable:
        """What the last act did, or the store's refusal."""
        if not self.message:
            return pn.Column()
        return pn.pane.Alert(self.message, alert_type="danger" if self.refused else "success",
                             css_classes=["plan-refused" if self.refused else "plan-done"])

    def _act(self, done: str, act: str, keys: list[str] | None = None) -> None:
        """Approve ``keys`` or reject, as the signed-in user; show the outcome or the
        store's refusal."""
        store, comment = self.data.plans(), self.comment.value or f"{act}d"
        self.pending = None
        try:
            user = self.login.acting_user()
            if act == "approve":
                store.approve(self.plan_id, user, comment, keys)
            else:
                store.reject(self.plan_id, user, comment)
        except REFUSED as exc:
            self.refused, self.message = True, f"Refused: {exc}"
            return
        self._fill_lines()
        self._relabel()
        self.refused, self.message = False, f"{done} by {user}"

    def _approve(self) -> None:
        """Approve the ticked lines at once; with none ticked, ask to confirm all of the
        lines not yet approved (or let the store say why there are none)."""
        ticked = [str(self.lines.value.key.iloc[i]) for i in self.lines.selection]
        if ticked:
            self._act(f"{count_by_kind(self._kinds(ticked))} approved", "approve", ticked)
            return
        store = self.data.plans()
        approved = store.approved_keys(self.plan_id)
        left = [a.key for a in store.plan(self.plan_id).actions if a.key not in approved]
        if left:
            self.pending = left
        else:
            self._act("approved", "approve")

    def _kinds(self, keys: list[str]) -> list[str]:
        kind = dict(zip(self.lines.value.key, self.lines.value.kind, strict=True))
        return [kind[k] for k in keys]

    @param.depends("pending")
    def confirmation(self) -> pn.viewable.Viewable:
        """Approve-all waits here until confirmed or cancelled."""
        if self.pending is None:
            return pn.Column()
        info = self.data.plans().info(self.plan_id)
        counts = count_by_kind(self._kinds(self.pending))
        what = f"all {counts}" if len(self.pending) == info.lines else \
            f"the {counts} not yet approved"
        confirm = pn.widgets.Button(label="Confirm", color="success",
                                    css_classes=["confirm-approve"])
        cancel = pn.widgets.Button(label="Cancel", css_classes=["cancel-approve"])
        keys = list(self.pending)
        confirm.on_click(lambda _: self._act(f"{counts} approved", "approve", keys))
        cancel.on_click(lambda _: self.param.update(pending=None))
        return pn.Column(pn.pane.Alert(f"Approve {what} of plan {self.plan_id}?",
                                       alert_type="warning"),
                         pn.Row(confirm, cancel), css_classes=["approve-all-confirm"])

    def actions(self) -> pn.viewable.Viewable:
        """Approve / reject for managers; a note for everyone else."""
        if not self.data.plans().may(self.user, Permission.APPROVE):
            return pn.pane.Markdown(f"Signed in as {self.user}: only managers may approve "
                                    "or reject.", css_classes=["no-approval"])
        approve = pn.widgets.Button(label="Approve", color="success")
        reject = pn.widgets.Button(label="Reject", color="danger")
        approve.on_click(lambda _: self._approve())
        reject.on_click(lambda _: self._act("rejected", "reject"))
        return pn.Column(pn.pane.Markdown("Approve the ticked lines (none ticked: all, "
                                          "after a confirmation)."),
                         self.comment, pn.Row(approve, reject), self.confirmation,
                         self.outcome)

    @param.depends("plan_id", "message")
    def to_publish(self) -> pn.viewable.Viewable:
        """The approved lines not yet published — what `medtwin plans publish` will send,
        as the store says; nothing for a plan that cannot be published."""
        if not self.plan_id:
            return pn.pane.Markdown("")
        store = self.data.plans()
        try:
            keys = store.sendable(self.plan_id)
        except REFUSED as exc:
            return pn.pane.Markdown(f"### Nothing will be published\n{exc}.",
                                    css_classes=["to-publish-none"])
        rows = [(a.key, a.kind, a.reason) for a in store.plan(self.plan_id).actions
                if a.key in keys]
        return pn.Column("### What will be published", pn.widgets.Tabulator(
            pd.DataFrame(rows, columns=["key", "kind", "reason"]), disabled=True,
            show_index=False, css_classes=["to-publish"]))

    @param.depends("plan_id")
    def expiry(self) -> pn.viewable.Viewable:
        """The plan's expiry alerts: lots that expire before use at current demand, with
        what would save them (largest value at risk first)."""
        alerts = self.data.plans().plan(self.plan_id).expiry_alerts if self.plan_id else []
        if not alerts:
            return pn.Column()
        table = pd.DataFrame([{"warehouse": a.warehouse, "item": a.item, "lot": a.lot,
                               "expires": a.expiry.isoformat(), "units": a.quantity,
                               "at risk without action (units)": round(a.units_at_risk, 1),
                               "value at risk": round(a.value_at_risk, 2),
                               "what saves them": a.remedy()} for a in alerts])
        total = sum(a.value_at_risk for a in alerts)
        return pn.Column(f"### Expiry alerts ({len(alerts)} lots, {total:,.2f} at risk at "
                         "current mean demand)",
                         pn.widgets.Tabulator(table, disabled=True, show_index=False,
                                              pagination="local", page_size=10,
                                              sizing_mode="stretch_width",
                                              css_classes=["expiry-alerts"]))

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column("## Plan review",
                         pn.widgets.Select.from_param(self.param.plan_id, label="Plan"),
                         self.status, pn.bind(self.summary, self.lines.param.value),
                         "### Lines (most urgent first; filter and sort in the headers)",
                         self.lines, self.actions(), self.to_publish, self.expiry)

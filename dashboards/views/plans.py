"""Plan review page: lines with reasons and evidence, stress evidence, approve / reject
(managers only), and what will be published."""

import pandas as pd
import panel as pn
import param
from panel.viewable import Viewer

from dashboards.data import DataStore
from medtwin.services.plans import REFUSED, Permission


class PlanReview(Viewer):
    """Review one stored plan as ``user``; the approve and reject buttons exist only for a
    manager."""

    data = param.ClassSelector(class_=DataStore)
    user = param.String()
    plan_id = param.Selector(objects=[])
    message = param.String(default="")

    def __init__(self, **params: object):
        super().__init__(**params)
        self.comment = pn.widgets.TextInput(label="Comment", placeholder="why",
                                            sizing_mode="stretch_width")
        self.lines = pn.widgets.Tabulator(pd.DataFrame(), disabled=True, show_index=False,
                                          selectable="checkbox", css_classes=["plan-lines"],
                                          sizing_mode="stretch_width", pagination="local",
                                          page_size=15)
        self.refresh()

    @property
    def is_manager(self) -> bool:
        return self.data.plans().may(self.user, Permission.APPROVE)

    def refresh(self) -> None:
        """Re-list the plans in the store."""
        ids = [p.id for p in self.data.plans().list()]
        self.param.plan_id.objects = ids
        if ids and self.plan_id not in ids:
            self.plan_id = ids[0]
        self._load_lines()

    @param.depends("plan_id", watch=True)
    def _load_lines(self) -> None:
        if not self.plan_id:
            return
        plan = self.data.plans().plan(self.plan_id)
        self.lines.value = pd.DataFrame([{
            "key": a.key, "kind": a.kind, "reason": a.reason,
            "evidence": ", ".join(f"{k}={v}" for k, v in a.evidence.items())}
            for a in plan.actions])

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
        if self.message:
            text.append(f"\n{self.message}")
        parts: list = [pn.pane.Markdown("\n".join(text), css_classes=["plan-status"])]
        found = store.evidence(self.plan_id)
        if found.problem is not None:
            parts.append(pn.pane.Markdown(f"Stress evidence: {found.problem}."))
        else:
            parts.append(pn.widgets.Tabulator(
                pd.DataFrame([vars(r) for r in found.rows]).round(4), disabled=True,
                show_index=False, css_classes=["stress-evidence"]))
        return pn.Column(*parts)

    def _decide(self, approve: bool) -> None:
        store = self.data.plans()
        try:
            if approve:
                keys = [self.lines.value.key.iloc[i] for i in self.lines.selection] or None
                store.approve(self.plan_id, self.user, self.comment.value or "approved",
                              keys)
                self.message = f"approved by {self.user}"
            else:
                store.reject(self.plan_id, self.user, self.comment.value or "rejected")
                self.message = f"rejected by {self.user}"
        except REFUSED as exc:
            self.message = f"refused: {exc}"

    def actions(self) -> pn.viewable.Viewable:
        """Approve / reject for managers; a note for everyone else."""
        if not self.is_manager:
            return pn.pane.Markdown(f"Signed in as {self.user}: only managers may approve "
                                    "or reject.", css_classes=["no-approval"])
        approve = pn.widgets.Button(label="Approve", color="success")
        reject = pn.widgets.Button(label="Reject", color="danger")
        approve.on_click(lambda _: self._decide(True))
        reject.on_click(lambda _: self._decide(False))
        return pn.Column(pn.pane.Markdown("Approve the selected lines (none selected = all)."),
                         self.comment, pn.Row(approve, reject))

    @param.depends("plan_id", "message")
    def to_publish(self) -> pn.viewable.Viewable:
        """The approved lines — what `medtwin plans publish` will send."""
        if not self.plan_id:
            return pn.pane.Markdown("")
        store = self.data.plans()
        plan = store.plan(self.plan_id)
        approved = store.approved_keys(self.plan_id)
        rows = [(a.key, a.kind, a.reason) for a in plan.actions if a.key in approved]
        return pn.Column("### What will be published", pn.widgets.Tabulator(
            pd.DataFrame(rows, columns=["key", "kind", "reason"]), disabled=True,
            show_index=False, css_classes=["to-publish"]))

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column("## Plan review",
                         pn.widgets.Select.from_param(self.param.plan_id, label="Plan"),
                         self.status, self.lines, self.actions(), self.to_publish)

//! Which rows the overview shows, in which order: built once per filter, then kept up to date
//! row by row as answers change them. Filtering, sorting and cloning every row on every answer
//! made a tenant of 1,800 subscriptions take minutes of main thread.

use mde_core::overview::{Overview, SubscriptionRow};
use mde_core::status::{IntegrationStatus, ServersPlan};

/// The view's query parameters: `q` (search), `status`, `plan`, `can`, `gap`, `sort`.
#[derive(Clone, PartialEq, Default, Debug)]
pub struct Filters {
    pub search: String,
    pub status: String,
    pub plan: String,
    pub changeable: bool,
    /// Only the subscriptions with Windows on and Linux off (the insight panel's selection).
    pub linux_gap: bool,
    pub sort: String,
}

/// What a row is sorted by before its name.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Rank {
    Name,
    Status(Option<IntegrationStatus>),
    Plan(Option<ServersPlan>),
    State(String),
}

type Key = (Rank, String);

impl Filters {
    fn keeps(&self, row: &SubscriptionRow) -> bool {
        let s = &row.subscription;
        let needle = self.search.to_lowercase();
        (needle.is_empty()
            || s.display_name.to_lowercase().contains(&needle)
            || s.subscription_id.to_lowercase().contains(&needle))
            && (self.status.is_empty() || row.status().is_some_and(|st| st.key() == self.status))
            && (self.plan.is_empty() || row.plan.ready().is_some_and(|p| p.label().eq_ignore_ascii_case(&self.plan)))
            && (!self.changeable || row.can_change.ready() == Some(&true))
            && (!self.linux_gap || is_gap(row))
    }

    fn key(&self, row: &SubscriptionRow) -> Key {
        let rank = match self.sort.as_str() {
            "status" => Rank::Status(row.status()),
            "plan" => Rank::Plan(row.plan.ready().copied()),
            "state" => Rank::State(row.subscription.state.clone()),
            _ => Rank::Name,
        };
        (rank, row.subscription.display_name.to_lowercase())
    }
}

/// Windows on, Linux off: what the insight panel points at.
fn is_gap(row: &SubscriptionRow) -> bool {
    row.parts.ready().is_some_and(|p| p.windows_on_linux_off())
}

/// The shown rows (positions in [`Overview::rows`]) in order, and the insight panel's rows.
#[derive(Clone, PartialEq, Default, Debug)]
pub struct Order {
    filters: Filters,
    /// Per row of the model: its sort key when shown.
    keys: Vec<Option<Key>>,
    /// Shown rows, ordered by (key, position): ties keep the listing order.
    shown: Vec<usize>,
    /// Rows with Windows on and Linux off, sorted by name.
    gaps: Vec<(String, usize)>,
}

impl Order {
    pub fn new(filters: Filters, model: &Overview) -> Order {
        let mut order = Order { filters, ..Order::default() };
        let all: Vec<usize> = (0..model.rows.len()).collect();
        order.update(model, &all);
        order
    }

    /// Takes in rows added or changed (`Overview::take_changed`): O(log n) each, plus moving
    /// the positions after an insertion or removal.
    pub fn update(&mut self, model: &Overview, changed: &[usize]) {
        if self.keys.len() < model.rows.len() {
            self.keys.resize(model.rows.len(), None);
        }
        for &i in changed {
            let row = &model.rows[i];
            let gap = (row.subscription.display_name.to_lowercase(), i);
            match (self.gaps.binary_search(&gap), is_gap(row)) {
                (Err(at), true) => self.gaps.insert(at, gap),
                (Ok(at), false) => drop(self.gaps.remove(at)),
                _ => {}
            }
            let key = self.filters.keeps(row).then(|| self.filters.key(row));
            if key == self.keys[i] {
                continue;
            }
            if let Some(old) = &self.keys[i] {
                if let Ok(at) = self.find(old, i) {
                    self.shown.remove(at);
                }
            }
            if let Some(new) = &key {
                if let Err(at) = self.find(new, i) {
                    self.shown.insert(at, i);
                }
            }
            self.keys[i] = key;
        }
    }

    fn find(&self, key: &Key, i: usize) -> Result<usize, usize> {
        let keys = &self.keys;
        self.shown.binary_search_by(|&j| keys[j].as_ref().map(|k| (k, j)).cmp(&Some((key, i))))
    }

    /// How many rows are shown.
    pub fn len(&self) -> usize {
        self.shown.len()
    }

    pub fn is_empty(&self) -> bool {
        self.shown.is_empty()
    }

    /// The shown rows from `start` to `end` (clamped).
    pub fn slice(&self, start: usize, end: usize) -> &[usize] {
        let end = end.min(self.shown.len());
        &self.shown[start.min(end)..end]
    }

    /// The rows with Windows on and Linux off, by name.
    pub fn gaps(&self) -> impl Iterator<Item = usize> + '_ {
        self.gaps.iter().map(|(_, i)| *i)
    }

    pub fn gap_count(&self) -> usize {
        self.gaps.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mde_core::arm::permissions::Permission;
    use mde_core::arm::settings::{Setting, SettingProperties};
    use mde_core::arm::subscriptions::Subscription;
    use mde_core::overview::OverviewEvent;

    fn sub(id: &str, name: &str, state: &str) -> Subscription {
        Subscription { subscription_id: id.into(), display_name: name.into(), tenant_id: None, state: state.into() }
    }

    fn setting(name: &str, enabled: bool) -> Setting {
        Setting { name: name.into(), kind: None, properties: SettingProperties { enabled } }
    }

    /// The rows' names in the order shown.
    fn names(order: &Order, model: &Overview) -> Vec<String> {
        order.slice(0, usize::MAX).iter().map(|&i| model.rows[i].subscription.display_name.clone()).collect()
    }

    fn model() -> Overview {
        let mut m = Overview::default();
        m.apply(OverviewEvent::Listed {
            subscriptions: vec![
                sub("1", "delta", "Enabled"),
                sub("2", "Alpha", "Warned"),
                sub("3", "charlie", "Enabled"),
                sub("4", "bravo", "Disabled"),
            ],
            more: false,
        });
        m.take_changed();
        m
    }

    fn settle(order: &mut Order, m: &mut Overview, event: OverviewEvent) {
        m.apply(event);
        let changed = m.take_changed();
        order.update(m, &changed);
    }

    fn settings(id: &str, wdatp: bool, exclude_linux: bool) -> OverviewEvent {
        OverviewEvent::Settings {
            subscription_id: id.into(),
            result: Ok(vec![setting("WDATP", wdatp), setting("WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW", exclude_linux)]),
        }
    }

    #[test]
    fn by_name_ignoring_case_and_by_state_then_name() {
        let m = model();
        assert_eq!(names(&Order::new(Filters::default(), &m), &m), ["Alpha", "bravo", "charlie", "delta"]);
        let by_state = Filters { sort: "state".into(), ..Filters::default() };
        assert_eq!(names(&Order::new(by_state, &m), &m), ["bravo", "charlie", "delta", "Alpha"]);
    }

    #[test]
    fn a_row_moves_and_joins_or_leaves_the_filter_as_its_answers_arrive() {
        let mut m = model();
        let filters = Filters { status: "on".into(), sort: "status".into(), ..Filters::default() };
        let mut order = Order::new(filters, &m);
        assert!(order.is_empty());
        let p2 = ["1", "2", "3", "4"].map(|id| (id.to_string(), ServersPlan::P2));
        settle(&mut order, &mut m, OverviewEvent::Plans(p2.into_iter().collect()));
        settle(&mut order, &mut m, settings("3", true, false));
        settle(&mut order, &mut m, settings("1", true, false));
        assert_eq!(names(&order, &m), ["charlie", "delta"]);
        // Linux excluded: Partial now, out of the "on" filter.
        settle(&mut order, &mut m, settings("3", true, true));
        assert_eq!(names(&order, &m), ["delta"]);

        // Sorted by status: loading rows first, then Off, On — no plan, Partial, On.
        let mut order = Order::new(Filters { sort: "status".into(), ..Filters::default() }, &m);
        assert_eq!(names(&order, &m), ["Alpha", "bravo", "charlie", "delta"]);
        settle(&mut order, &mut m, settings("2", false, false));
        assert_eq!(names(&order, &m), ["bravo", "Alpha", "charlie", "delta"]);
        settle(&mut order, &mut m, OverviewEvent::Plan { subscription_id: "1".into(), result: Ok(ServersPlan::Off) });
        assert_eq!(names(&order, &m), ["bravo", "Alpha", "delta", "charlie"]);
    }

    #[test]
    fn search_permission_and_plan_filters() {
        let mut m = model();
        let mut order = Order::new(Filters { changeable: true, ..Filters::default() }, &m);
        let owner = vec![Permission { actions: vec!["*".into()], ..Default::default() }];
        settle(&mut order, &mut m, OverviewEvent::Permissions { subscription_id: "4".into(), result: Ok(owner) });
        settle(&mut order, &mut m, OverviewEvent::Permissions { subscription_id: "1".into(), result: Ok(vec![]) });
        assert_eq!(names(&order, &m), ["bravo"]);

        let search = Filters { search: "HA".into(), ..Filters::default() };
        assert_eq!(names(&Order::new(search, &m), &m), ["Alpha", "charlie"]);
        let by_id = Filters { search: "3".into(), ..Filters::default() };
        assert_eq!(names(&Order::new(by_id, &m), &m), ["charlie"]);

        let mut order = Order::new(Filters { plan: "p1".into(), ..Filters::default() }, &m);
        let plans = [("1", ServersPlan::P1), ("2", ServersPlan::P2), ("4", ServersPlan::P1)];
        let plans = plans.into_iter().map(|(id, p)| (id.to_string(), p)).collect();
        settle(&mut order, &mut m, OverviewEvent::Plans(plans));
        assert_eq!(names(&order, &m), ["bravo", "delta"]);
    }

    #[test]
    fn the_insight_rows_follow_the_settings_whatever_the_filter() {
        let mut m = model();
        let mut order = Order::new(Filters { search: "nothing".into(), ..Filters::default() }, &m);
        settle(&mut order, &mut m, settings("1", true, true));
        settle(&mut order, &mut m, settings("2", true, true));
        settle(&mut order, &mut m, settings("3", true, false));
        assert_eq!(order.gaps().collect::<Vec<_>>(), [1, 0], "Alpha, delta");
        settle(&mut order, &mut m, settings("2", true, false));
        assert_eq!((order.gap_count(), order.gaps().collect::<Vec<_>>()), (1, vec![0]));
        let gaps_only = Order::new(Filters { linux_gap: true, ..Filters::default() }, &m);
        assert_eq!(names(&gaps_only, &m), ["delta"]);
    }

    #[test]
    fn slices_are_clamped() {
        let m = model();
        let order = Order::new(Filters::default(), &m);
        assert_eq!(order.slice(2, 99), [2, 0], "charlie, delta");
        assert_eq!(order.slice(7, 9), [] as [usize; 0]);
    }
}

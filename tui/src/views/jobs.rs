//! Jobs: running ones with progress bars, queued, failed with their error; retry, cancel,
//! and the download link of an import's error report.

use crate::app::{Command, Confirm, JobAction, Level, Overlay, ViewOutcome};
use crate::dto::{Job, Named};
use crate::keys::Key;
use crate::theme;
use crate::views::{REST, block, draw_table, list_table, note, pane, rows_in_view};
use crate::widgets::{Scroll, bar, cut, move_sel, text_matches};
use nexus_core::model::JobStatus;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Wrap};

#[derive(Debug, Default)]
pub struct JobsView {
    pub jobs: Vec<Job>,
    pub text: String,
    pub visible: Vec<usize>,
    pub sel: usize,
    pub scroll: Scroll,
    pub detail_open: bool,
    /// The last report link fetched: job id and URL.
    pub report: Option<(String, String)>,
    pub loaded: bool,
}

/// Display order: what needs eyes first (running, then failed, then queued), then the rest
/// (finished, and statuses this build does not know).
fn rank(status: &Named<JobStatus>) -> u8 {
    match status.known() {
        Some(JobStatus::Running) => 0,
        Some(JobStatus::Failed | JobStatus::Dead) => 1,
        Some(JobStatus::Queued) => 2,
        _ => 3,
    }
}

impl JobsView {
    pub fn set_jobs(&mut self, jobs: Vec<Job>) {
        self.jobs = jobs;
        self.loaded = true;
        self.recompute();
    }

    pub fn set_text(&mut self, text: &str) {
        self.text = text.to_string();
        self.recompute();
    }

    pub fn close_detail(&mut self) -> bool {
        std::mem::take(&mut self.detail_open)
    }

    pub fn upsert(&mut self, job: Job) {
        match self.jobs.iter_mut().find(|j| j.id == job.id) {
            Some(j) => {
                // Events carry the public fields only: keep what they do not.
                let error = if job.error.is_empty() {
                    j.error.clone()
                } else {
                    job.error.clone()
                };
                let created = job.created_at.or(j.created_at);
                let report = job.has_report || j.has_report;
                *j = Job {
                    error,
                    created_at: created,
                    has_report: report,
                    ..job
                };
            }
            None => self.jobs.insert(0, job),
        }
        self.recompute();
    }

    /// Running, queued and failed (failed or dead) jobs.
    pub fn counts(&self) -> (usize, usize, usize) {
        let n = |of: &[JobStatus]| {
            self.jobs
                .iter()
                .filter(|j| j.status.known().is_some_and(|s| of.contains(&s)))
                .count()
        };
        (
            n(&[JobStatus::Running]),
            n(&[JobStatus::Queued]),
            n(&[JobStatus::Failed, JobStatus::Dead]),
        )
    }

    pub fn selected(&self) -> Option<&Job> {
        self.visible.get(self.sel).map(|i| &self.jobs[*i])
    }

    fn recompute(&mut self) {
        let keep = self.selected().map(|j| j.id.clone());
        let needle = self.text.to_lowercase();
        self.visible = (0..self.jobs.len())
            .filter(|i| {
                let j = &self.jobs[*i];
                text_matches(&needle, &[&j.id, j.kind.name(), j.status.name(), &j.error])
            })
            .collect();
        let jobs = &self.jobs;
        self.visible.sort_by(|a, b| {
            let (a, b) = (&jobs[*a], &jobs[*b]);
            rank(&a.status)
                .cmp(&rank(&b.status))
                .then(b.created_at.cmp(&a.created_at))
        });
        self.sel = keep
            .and_then(|id| self.visible.iter().position(|i| self.jobs[*i].id == id))
            .unwrap_or(self.sel)
            .min(self.visible.len().saturating_sub(1));
    }

    pub fn key(&mut self, key: Key, can_write: bool) -> ViewOutcome {
        if let Some(sel) = move_sel(key, self.sel, self.visible.len(), self.scroll.page()) {
            self.sel = sel;
            return ViewOutcome::None;
        }
        let Some(job) = self.selected().cloned() else {
            return ViewOutcome::None;
        };
        match key {
            Key::Enter => {
                self.detail_open = true;
                ViewOutcome::None
            }
            Key::Char('d') => {
                if job.has_report {
                    ViewOutcome::Commands(vec![Command::Job {
                        job_id: job.id,
                        action: JobAction::Report,
                    }])
                } else {
                    ViewOutcome::Message(Level::Info, format!("{} has no report.", job.id))
                }
            }
            Key::Char(c @ ('r' | 'c')) => {
                let action = if c == 'r' {
                    JobAction::Retry
                } else {
                    JobAction::Cancel
                };
                if !can_write {
                    return ViewOutcome::Message(
                        Level::Error,
                        "Read-only console: jobs cannot be retried or cancelled.".into(),
                    );
                }
                // As the server allows: a retry of a failed, dead or cancelled job, a cancel
                // of a queued or running one; nothing on a status this build does not know.
                let allowed = matches!(
                    (action, job.status.known()),
                    (
                        JobAction::Retry,
                        Some(JobStatus::Failed | JobStatus::Dead | JobStatus::Cancelled)
                    ) | (
                        JobAction::Cancel,
                        Some(JobStatus::Queued | JobStatus::Running)
                    )
                );
                if !allowed {
                    return ViewOutcome::Message(
                        Level::Info,
                        format!(
                            "{} is {}: nothing to {}.",
                            job.id,
                            job.status,
                            action.label().to_lowercase()
                        ),
                    );
                }
                ViewOutcome::Overlay(Overlay::Confirm(Confirm::Job {
                    job_id: job.id,
                    action,
                }))
            }
            _ => ViewOutcome::None,
        }
    }
}

pub fn render(app: &crate::app::App, f: &mut Frame, area: Rect) {
    let v = &app.jobs;
    let (main, detail) = if v.detail_open {
        let [a, b] = Layout::vertical([Constraint::Min(5), Constraint::Length(7)]).areas(area);
        (a, Some(b))
    } else {
        (area, None)
    };
    let (running, queued, failed) = v.counts();
    let inner = pane(
        f,
        main,
        format!(
            "Jobs {} · {running} running · {queued} queued · {failed} failed",
            v.jobs.len()
        ),
    );
    if v.visible.is_empty() {
        let text = if v.loaded {
            "No jobs."
        } else {
            "Loading jobs…"
        };
        note(f, inner, text);
    } else {
        let (start, end) = rows_in_view(&v.scroll, v.sel, v.visible.len(), inner);
        let rows = v.visible[start..end].iter().map(|i| {
            let j = &v.jobs[*i];
            let progress = if j.total > 0 || j.status.is(JobStatus::Running) {
                bar(j.ratio(), 10)
            } else {
                String::new()
            };
            let note = if !j.error.is_empty() {
                Span::styled(j.error.clone(), theme::bad())
            } else {
                Span::styled(j.message.clone(), theme::muted())
            };
            Row::new(vec![
                Cell::from(cut(&j.id, 14)),
                Cell::from(j.kind.to_string()),
                Cell::from(Span::styled(
                    j.status.to_string(),
                    theme::job(j.status.known()),
                )),
                Cell::from(Span::styled(progress, theme::job(j.status.known()))),
                Cell::from(if j.has_report { "report" } else { "" }),
                Cell::from(note),
            ])
        });
        let header = Row::new(["Job", "Kind", "Status", "Progress", "", "Error / message"]);
        let table = list_table(rows, &[14, 18, 9, 15, 6, REST], header, theme::selected());
        draw_table(f, inner, table, v.sel - start);
    }
    if let (Some(area), Some(j)) = (detail, v.selected()) {
        let mut lines = vec![
            Line::from(vec![
                Span::styled(j.id.clone(), theme::title()),
                Span::styled(
                    format!("  {}  attempts {}", j.kind, j.attempts),
                    theme::muted(),
                ),
            ]),
            Line::from(format!("{}/{} {}", j.done, j.total, j.message)),
        ];
        if !j.error.is_empty() {
            lines.push(Line::from(Span::styled(
                format!("Error: {}", j.error),
                theme::bad(),
            )));
        }
        if let Some((id, url)) = &v.report
            && *id == j.id
        {
            lines.push(Line::from(vec![
                Span::styled("Report: ", theme::muted()),
                Span::styled(url.clone(), theme::accent()),
            ]));
        }
        lines.push(crate::views::hints(&[
            ("r", "retry"),
            ("c", "cancel"),
            ("d", "report link"),
        ]));
        f.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .block(block("Job".into())),
            area,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nexus_core::model::JobKind;
    use rust_decimal::Decimal;

    fn job(id: &str, status: JobStatus) -> Job {
        Job {
            id: id.into(),
            kind: JobKind::BulkOrderImport.into(),
            status: status.into(),
            ..Job::default()
        }
    }

    #[test]
    fn running_first_and_only_sensible_actions() {
        let mut v = JobsView::default();
        v.set_jobs(vec![
            job("J1", JobStatus::Succeeded),
            job("J2", JobStatus::Failed),
            job("J3", JobStatus::Running),
        ]);
        assert_eq!(v.selected().unwrap().id, "J3");
        assert!(matches!(
            v.key(Key::Char('r'), true),
            ViewOutcome::Message(Level::Info, _)
        ));
        assert!(matches!(
            v.key(Key::Char('c'), true),
            ViewOutcome::Overlay(Overlay::Confirm(Confirm::Job {
                action: JobAction::Cancel,
                ..
            }))
        ));
        v.key(Key::Down, true);
        assert_eq!(v.selected().unwrap().id, "J2");
        assert!(matches!(
            v.key(Key::Char('r'), false),
            ViewOutcome::Message(Level::Error, _)
        ));
        assert_eq!(v.counts(), (1, 0, 1));
    }

    #[test]
    fn a_status_this_build_does_not_know_is_shown_last_and_offers_nothing() {
        let newer = Job {
            id: "J9".into(),
            kind: Named::Other("stock_sync".into()),
            status: Named::Other("paused".into()),
            ..Job::default()
        };
        let mut v = JobsView::default();
        v.set_jobs(vec![newer, job("J1", JobStatus::Queued)]);
        let order: Vec<&str> = v.visible.iter().map(|i| v.jobs[*i].id.as_str()).collect();
        assert_eq!(order, ["J1", "J9"]);
        assert_eq!(v.counts(), (0, 1, 0));
        v.key(Key::End, true);
        for (key, verb) in [('r', "retry"), ('c', "cancel")] {
            match v.key(Key::Char(key), true) {
                ViewOutcome::Message(Level::Info, m) => {
                    assert_eq!(m, format!("J9 is paused: nothing to {verb}."))
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(
            theme::job(v.selected().unwrap().status.known()),
            theme::muted()
        );
        // The `/` filter finds it by the text as sent.
        v.set_text("PAUSED");
        assert_eq!(v.visible.len(), 1);
        v.set_text("stock_sync");
        assert_eq!(v.visible.len(), 1);
    }

    #[test]
    fn progress_events_update_in_place() {
        let mut v = JobsView::default();
        v.set_jobs(vec![Job {
            error: "boom".into(),
            ..job("J1", JobStatus::Failed)
        }]);
        v.upsert(Job {
            done: 5,
            total: 10,
            ..job("J1", JobStatus::Running)
        });
        assert_eq!(v.jobs.len(), 1);
        assert_eq!(v.jobs[0].ratio(), Decimal::new(5, 1));
        assert_eq!(v.jobs[0].error, "boom");
    }
}

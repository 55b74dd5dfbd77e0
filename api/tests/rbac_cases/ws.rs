use super::{Case, Who};

/// `GET /ws` without the upgrade headers: anonymous and bad tokens get 401 like every
/// protected route; a signed-in user of any role gets 426 (the socket itself is tested in
/// `tests/ws.rs`, where delivery is scoped per event rather than per route).
pub fn cases() -> Vec<Case> {
    vec![Case::get("/ws", Who::AnyUser("SALES-001")).expect(426)]
}

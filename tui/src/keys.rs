//! Keys as the console understands them, independent of where they come from: crossterm
//! events on a local terminal, or raw bytes from an SSH channel (which has no crossterm
//! parser, so [`parse_bytes`] decodes the common VT sequences itself).

/// A key press the console reacts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Char(char),
    /// Ctrl + a letter (lower case).
    Ctrl(char),
    Enter,
    Esc,
    Backspace,
    Delete,
    Tab,
    BackTab,
    Up,
    Down,
    Left,
    Right,
    Home,
    End,
    PageUp,
    PageDown,
}

impl Key {
    /// Converts a crossterm key event; `None` for releases and keys the console ignores.
    pub fn from_crossterm(ev: &ratatui::crossterm::event::KeyEvent) -> Option<Key> {
        use ratatui::crossterm::event::{KeyCode, KeyEventKind, KeyModifiers};
        if ev.kind == KeyEventKind::Release {
            return None;
        }
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        Some(match ev.code {
            KeyCode::Char(c) if ctrl => Key::Ctrl(c.to_ascii_lowercase()),
            KeyCode::Char(c) => Key::Char(c),
            KeyCode::Enter => Key::Enter,
            KeyCode::Esc => Key::Esc,
            KeyCode::Backspace => Key::Backspace,
            KeyCode::Delete => Key::Delete,
            KeyCode::Tab => Key::Tab,
            KeyCode::BackTab => Key::BackTab,
            KeyCode::Up => Key::Up,
            KeyCode::Down => Key::Down,
            KeyCode::Left => Key::Left,
            KeyCode::Right => Key::Right,
            KeyCode::Home => Key::Home,
            KeyCode::End => Key::End,
            KeyCode::PageUp => Key::PageUp,
            KeyCode::PageDown => Key::PageDown,
            _ => return None,
        })
    }
}

/// Decodes the bytes a terminal sends (xterm/VT100 conventions) into keys. An escape
/// byte alone at the end of a chunk is the Esc key: terminals send a whole escape
/// sequence in one write, so a lone ESC is a key press, not the start of a sequence.
pub fn parse_bytes(bytes: &[u8]) -> Vec<Key> {
    let mut keys = Vec::new();
    let text = String::from_utf8_lossy(bytes);
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        let key = match c {
            '\r' | '\n' => Key::Enter,
            '\t' => Key::Tab,
            '\u{7f}' | '\u{8}' => Key::Backspace,
            '\u{1b}' => {
                let (key, used) = escape(&chars[i..]);
                i += used;
                key
            }
            c if (c as u32) < 0x20 => Key::Ctrl((b'a' + (c as u8) - 1) as char),
            c => Key::Char(c),
        };
        // A CR LF pair from a line-mode client is one Enter.
        if key == Key::Enter && c == '\r' && chars.get(i) == Some(&'\n') {
            i += 1;
        }
        keys.push(key);
    }
    keys
}

/// Decodes what follows an ESC; returns the key and how many chars it used.
fn escape(rest: &[char]) -> (Key, usize) {
    match rest {
        ['[' | 'O', 'A', ..] => (Key::Up, 2),
        ['[' | 'O', 'B', ..] => (Key::Down, 2),
        ['[' | 'O', 'C', ..] => (Key::Right, 2),
        ['[' | 'O', 'D', ..] => (Key::Left, 2),
        ['[' | 'O', 'H', ..] => (Key::Home, 2),
        ['[' | 'O', 'F', ..] => (Key::End, 2),
        ['[', 'Z', ..] => (Key::BackTab, 2),
        ['[', d, '~', ..] => (
            match d {
                '1' | '7' => Key::Home,
                '4' | '8' => Key::End,
                '3' => Key::Delete,
                '5' => Key::PageUp,
                '6' => Key::PageDown,
                _ => Key::Esc,
            },
            3,
        ),
        ['[', ..] => {
            // An unknown CSI sequence: skip to its final byte so its parameters do not
            // arrive as typed text.
            let end = rest
                .iter()
                .skip(1)
                .position(|c| ('@'..='~').contains(c))
                .map_or(rest.len(), |p| p + 2);
            (Key::Esc, end)
        }
        _ => (Key::Esc, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_and_controls() {
        assert_eq!(
            parse_bytes(b"ab\r\x7f\t\x03"),
            vec![
                Key::Char('a'),
                Key::Char('b'),
                Key::Enter,
                Key::Backspace,
                Key::Tab,
                Key::Ctrl('c')
            ]
        );
        assert_eq!(parse_bytes(b"\r\n"), vec![Key::Enter]);
        assert_eq!(parse_bytes("é".as_bytes()), vec![Key::Char('é')]);
    }

    #[test]
    fn escape_sequences() {
        assert_eq!(
            parse_bytes(b"\x1b[A\x1bOB\x1b[5~\x1b[6~\x1b[Z\x1b[3~"),
            vec![
                Key::Up,
                Key::Down,
                Key::PageUp,
                Key::PageDown,
                Key::BackTab,
                Key::Delete
            ]
        );
        assert_eq!(parse_bytes(b"\x1b"), vec![Key::Esc]);
        assert_eq!(parse_bytes(b"\x1bq"), vec![Key::Esc, Key::Char('q')]);
        // An unknown CSI sequence (a mouse report) is swallowed whole.
        assert_eq!(
            parse_bytes(b"\x1b[<0;3;4Mx"),
            vec![Key::Esc, Key::Char('x')]
        );
    }
}

//! Values from ARM written as literals of the languages the app exports to (bash, PowerShell,
//! HCL, Bicep, ARM template strings) and text made safe for their line comments.
//!
//! Names and ids come from ARM and are hostile: whatever they hold, a literal ends where the
//! exporter ends it, holds exactly the value, and stays on one line. The scripts are also read
//! in code pages other than UTF-8 (Windows PowerShell 5.1 reads a `.ps1` in the ANSI code page
//! unless it starts with a byte-order mark; bash reads bytes in the user's locale, GBK or BIG5
//! included), so their literals are written in ASCII only, every other character as an escape.

/// The byte-order mark every `.ps1` starts with: without it, Windows PowerShell 5.1 reads the
/// file in the ANSI code page (Windows-1252 in the West) instead of UTF-8.
pub const UTF8_BOM: char = '\u{FEFF}';

/// One bash word holding exactly `value`, in ASCII whatever the value holds:
/// - bare when every character is one bash takes literally (a GUID stays readable);
/// - single-quoted when it is printable ASCII, `'` written `'\''`;
/// - otherwise `$'…'`, with `\` and `'` escaped and every byte of a control or non-ASCII
///   character as `\xHH`. In a multi-byte locale (GBK, BIG5) a byte above 0x7F followed by
///   `\` would take the backslash as the second byte of a character; with every such byte
///   written as an escape, the string holds no byte above 0x7F for the backslash to follow.
///
/// NUL cannot be in an argument: dropped.
pub fn sh_quote(value: &str) -> String {
    let value: String = value.chars().filter(|&c| c != '\0').collect();
    let bare = |c: char| c.is_ascii_alphanumeric() || "@%+=:,./-_".contains(c);
    if !value.is_empty() && value.chars().all(bare) {
        return value;
    }
    if value.chars().all(|c| c.is_ascii() && !c.is_ascii_control()) {
        return format!("'{}'", value.replace('\'', r"'\''"));
    }
    let mut out = String::from("$'");
    for c in value.chars() {
        match c {
            '\\' | '\'' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_ascii() && !c.is_ascii_control() => out.push(c),
            c => {
                for byte in c.to_string().bytes() {
                    out += &format!("\\x{byte:02X}");
                }
            }
        }
    }
    out.push('\'');
    out
}

/// `--flag value`; `--flag=value` when the value starts with `-`, which the Azure CLI's
/// parser would otherwise take for an option.
pub fn sh_opt(flag: &str, value: &str) -> String {
    if value.starts_with('-') {
        format!("{flag}={}", sh_quote(value))
    } else {
        format!("{flag} {}", sh_quote(value))
    }
}

/// A PowerShell string holding exactly `value`, in ASCII whatever the value holds: single
/// quotes (nothing in them expands), `'` doubled, and every control or non-ASCII character
/// joined in as `[char]0xHHHH` (UTF-16 code units; a character beyond the BMP is two):
/// `('Caf' + [char]0x00E9)`. PowerShell also ends a single-quoted string at the typographic
/// quotes ‘ ’ ‚ ‛, and Windows PowerShell 5.1 reads a file without a byte-order mark in the
/// ANSI code page, where the UTF-8 bytes of `Ò` hold a `’`: escaped, neither can end a string.
/// A joined string starts with a quoted part (`''` if need be) so that `+` concatenates.
pub fn ps_quote(value: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut literal = String::new();
    let mut open = false;
    for c in value.chars().filter(|&c| c != '\0') {
        if c.is_ascii() && !c.is_ascii_control() {
            if c == '\'' {
                literal.push('\'');
            }
            literal.push(c);
            open = true;
            continue;
        }
        if open || parts.is_empty() {
            parts.push(format!("'{}'", std::mem::take(&mut literal)));
            open = false;
        }
        let mut units = [0u16; 2];
        parts.extend(c.encode_utf16(&mut units).iter().map(|unit| format!("[char]0x{unit:04X}")));
    }
    if parts.is_empty() {
        return format!("'{literal}'");
    }
    if open {
        parts.push(format!("'{literal}'"));
    }
    format!("({})", parts.join(" + "))
}

/// An HCL quoted string: `"` and `\` escaped, `${` and `%{` doubled so they stay literal
/// instead of starting a template, control characters as `\u` escapes.
pub fn hcl_string(value: &str) -> String {
    let mut out = String::from("\"");
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out += "\\\"",
            '\\' => out += "\\\\",
            '\n' => out += "\\n",
            '\r' => out += "\\r",
            '\t' => out += "\\t",
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if breaks_line(c) => out += &format!("\\u{:04X}", c as u32),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A Bicep string literal: `'` and `\` escaped, `$` escaped so that no `${` interpolates,
/// and control characters as `\u{..}` escapes.
pub fn bicep_string(value: &str) -> String {
    let mut out = String::from("'");
    for c in value.chars() {
        match c {
            '\'' => out += "\\'",
            '\\' => out += "\\\\",
            '$' => out += "\\$",
            '\n' => out += "\\n",
            '\r' => out += "\\r",
            '\t' => out += "\\t",
            c if breaks_line(c) => out += &format!("\\u{{{:X}}}", c as u32),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// ARM reads a string that starts with `[` and ends with `]` as an expression; `[[` keeps it
/// a literal.
pub fn arm_literal(value: &str) -> String {
    if value.starts_with('[') && value.ends_with(']') {
        format!("[{value}")
    } else {
        value.to_string()
    }
}

/// Characters that end, or seem to end, a line.
fn breaks_line(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

/// Text safe inside a line comment: a line break of any kind would end the comment, and
/// bidirectional controls could make a reviewer read something else than what runs.
pub fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| {
            let hidden = breaks_line(c)
                || matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}')
                || ('\u{202A}'..='\u{202E}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c);
            if hidden {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// `lines` as line comments behind `marker` (`#`, `//`), each ending in a newline.
pub fn comments(marker: &str, lines: &[String]) -> String {
    lines
        .iter()
        .map(|line| match one_line(line) {
            text if text.trim().is_empty() => format!("{marker}\n"),
            text => format!("{marker} {text}\n"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bash_words() {
        assert_eq!(sh_quote("0000-aa"), "0000-aa");
        assert_eq!(sh_quote("it's $(x)"), r"'it'\''s $(x)'");
        assert_eq!(sh_quote(""), "''");
        assert_eq!(sh_quote("~root"), "'~root'");
        assert_eq!(sh_opt("--subscription", "-x"), "--subscription=-x");
        assert_eq!(sh_quote("a'\nb\u{2028}"), r"$'a\'\x0Ab\xE2\x80\xA8'");
        // Any non-ASCII character: its bytes, so that no byte above 0x7F precedes a backslash.
        assert_eq!(sh_quote("中'"), r"$'\xE4\xB8\xAD\''");
        assert_eq!(sh_quote("Ò"), r"$'\xC3\x92'");
    }

    #[test]
    fn powershell_strings() {
        assert_eq!(ps_quote("a'b $x"), "'a''b $x'");
        assert_eq!(ps_quote(""), "''");
        assert_eq!(ps_quote("\na\r"), "('' + [char]0x000A + 'a' + [char]0x000D)");
        assert_eq!(ps_quote("‘Ò’"), "('' + [char]0x2018 + [char]0x00D2 + [char]0x2019)");
        assert_eq!(ps_quote("x😀"), "('x' + [char]0xD83D + [char]0xDE00)");
    }

    #[test]
    fn literals() {
        assert_eq!(arm_literal("[concat('a')]"), "[[concat('a')]");
        assert_eq!(arm_literal("[not an expression"), "[not an expression");
        assert_eq!(bicep_string("it's ${x}\n"), r"'it\'s \${x}\n'");
        assert_eq!(hcl_string("a\"b\\ ${x} %{y} $ % \n"), r#""a\"b\\ $${x} %%{y} $ % \n""#);
        assert_eq!(hcl_string("$${x}"), r#""$$${x}""#);
    }
}

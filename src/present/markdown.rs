//! Text put into GitHub Markdown (check and diff reports): names and file
//! paths come from scenario files and pull requests, so nothing in them may
//! end a table cell, open a link, read as HTML or break out of a code span.

/// Plain text for a table cell or a heading.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' | '[' | ']' | '*' | '`' | '\\' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// An inline code span holding `s` as it is (its fence is longer than any
/// run of backticks inside; control characters become spaces). In a table
/// cell GitHub still ends the cell at `|`, so pipes are escaped.
pub fn code(s: &str) -> String {
    let s: String = s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().replace('|', "\\|");
    let fence = "`".repeat(longest_backticks(&s) + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// A fenced code block of language `lang` holding `s` (its fence is at
/// least three backticks and longer than any run inside).
pub fn block(s: &str, lang: &str) -> String {
    let fence = "`".repeat(longest_backticks(s).max(2) + 1);
    format!("{fence}{lang}\n{s}\n{fence}")
}

fn longest_backticks(s: &str) -> usize {
    s.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_cannot_end_a_cell_open_a_link_or_read_as_html() {
        assert_eq!(text("a|b\nc <d> & [e](f)"), "a\\|b c &lt;d&gt; &amp; \\[e\\](f)");
    }

    #[test]
    fn code_spans_hold_backticks() {
        assert_eq!(code("plans/a.toml"), "`plans/a.toml`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(code("P(x < 1) | y"), "`P(x < 1) \\| y`");
        assert_eq!(block("runway report", "sh"), "```sh\nrunway report\n```");
        assert_eq!(block("a ```` b", "sh"), "`````sh\na ```` b\n`````");
    }
}

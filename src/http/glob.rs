//! `allowed_hosts` patterns: the syntax and matching of the `glob` crate's `Pattern` with its default
//! options (what upstream matches hosts with), rewritten without `std`.
//!
//! - `?` one character, `*` any run of characters (dots included), `[abc]`, `[a-z]`, `[!a-z]` one
//!   character in or out of a set (`]` right after `[` or `[!` is literal); case sensitive.
//! - `**` is only valid as a whole path component (`**`, `**/…`, `…/**/…`, `…/**`); `***`, `a**`
//!   or `**a` are invalid, and so is a `[` without its `]`.
//! - An invalid pattern matches only the identical text (upstream falls back to string equality).

use alloc::vec::Vec;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Char(char),
    AnyChar,
    AnySequence,
    AnyRecursiveSequence,
    AnyWithin(Vec<Spec>),
    AnyExcept(Vec<Spec>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Spec {
    Single(char),
    Range(char, char),
}

#[derive(PartialEq, Eq)]
enum MatchResult {
    Match,
    SubPatternDoesntMatch,
    EntirePatternDoesntMatch,
}

/// Path separator of the `glob` crate on the hosts upstream ships for (never in a host name).
fn is_separator(c: char) -> bool {
    c == '/'
}

/// Whether `host` is allowed by `pattern`.
pub fn matches(pattern: &str, host: &str) -> bool {
    match compile(pattern) {
        Some(tokens) => matches_from(&tokens, true, host.chars(), 0) == MatchResult::Match,
        None => pattern == host,
    }
}

/// Whether `pattern` is valid glob syntax.
pub fn is_valid(pattern: &str) -> bool {
    compile(pattern).is_some()
}

fn compile(pattern: &str) -> Option<Vec<Token>> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '?' => {
                tokens.push(Token::AnyChar);
                i += 1;
            }
            '*' => {
                let start = i;
                while i < chars.len() && chars[i] == '*' {
                    i += 1;
                }
                match i - start {
                    1 => tokens.push(Token::AnySequence),
                    2 => {
                        // `**` must be a whole component: at the start or after a separator, and at
                        // the end or before one (which it takes).
                        if !(start == 0 || is_separator(chars[start - 1])) {
                            return None;
                        }
                        if i < chars.len() && is_separator(chars[i]) {
                            i += 1;
                        } else if i != chars.len() {
                            return None;
                        }
                        let last_is_recursive = tokens.last() == Some(&Token::AnyRecursiveSequence);
                        if !(tokens.len() > 1 && last_is_recursive) {
                            tokens.push(Token::AnyRecursiveSequence);
                        }
                    }
                    _ => return None,
                }
            }
            '[' => {
                if i + 4 <= chars.len() && chars[i + 1] == '!' {
                    let j = chars[i + 3..].iter().position(|c| *c == ']')?;
                    tokens.push(Token::AnyExcept(specs(&chars[i + 2..i + 3 + j])));
                    i += j + 4;
                } else if i + 3 <= chars.len() && chars[i + 1] != '!' {
                    let j = chars[i + 2..].iter().position(|c| *c == ']')?;
                    tokens.push(Token::AnyWithin(specs(&chars[i + 1..i + 2 + j])));
                    i += j + 3;
                } else {
                    return None;
                }
            }
            c => {
                tokens.push(Token::Char(c));
                i += 1;
            }
        }
    }
    Some(tokens)
}

fn specs(s: &[char]) -> Vec<Spec> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.len() {
        if i + 3 <= s.len() && s[i + 1] == '-' {
            out.push(Spec::Range(s[i], s[i + 2]));
            i += 3;
        } else {
            out.push(Spec::Single(s[i]));
            i += 1;
        }
    }
    out
}

fn in_specs(specs: &[Spec], c: char) -> bool {
    specs.iter().any(|s| match *s {
        Spec::Single(x) => x == c,
        Spec::Range(lo, hi) => lo <= c && c <= hi,
    })
}

/// The `glob` crate's backtracking matcher (case sensitive, separators and leading dots not special).
fn matches_from(tokens: &[Token], mut follows_separator: bool, mut text: core::str::Chars<'_>, i: usize) -> MatchResult {
    for (ti, token) in tokens[i..].iter().enumerate() {
        match token {
            Token::AnySequence | Token::AnyRecursiveSequence => {
                match matches_from(tokens, follows_separator, text.clone(), i + ti + 1) {
                    MatchResult::SubPatternDoesntMatch => {}
                    m => return m,
                }
                while let Some(c) = text.next() {
                    follows_separator = is_separator(c);
                    if *token == Token::AnyRecursiveSequence && !follows_separator {
                        continue;
                    }
                    match matches_from(tokens, follows_separator, text.clone(), i + ti + 1) {
                        MatchResult::SubPatternDoesntMatch => {}
                        m => return m,
                    }
                }
            }
            _ => {
                let Some(c) = text.next() else {
                    return MatchResult::EntirePatternDoesntMatch;
                };
                let ok = match token {
                    Token::AnyChar => true,
                    Token::AnyWithin(s) => in_specs(s, c),
                    Token::AnyExcept(s) => !in_specs(s, c),
                    Token::Char(x) => *x == c,
                    // Handled by the arm above; never matches a single character here.
                    Token::AnySequence | Token::AnyRecursiveSequence => false,
                };
                if !ok {
                    return MatchResult::SubPatternDoesntMatch;
                }
                follows_separator = is_separator(c);
            }
        }
    }
    if text.next().is_none() {
        MatchResult::Match
    } else {
        MatchResult::SubPatternDoesntMatch
    }
}

#[cfg(test)]
mod tests {
    use super::{is_valid, matches};
    use alloc::string::String;
    use alloc::vec::Vec;

    #[test]
    fn literal_and_wildcards() {
        assert!(matches("127.0.0.1", "127.0.0.1"));
        assert!(!matches("127.0.0.1", "127.0.0.10"));
        assert!(matches("127.0.0.*", "127.0.0.1"));
        assert!(matches("*", "example.com"));
        assert!(matches("*", ""));
        assert!(matches("*.example.com", "api.example.com"));
        assert!(matches("*.example.com", "a.b.example.com"));
        assert!(!matches("*.example.com", "example.com"));
        assert!(matches("ex?mple.com", "example.com"));
        assert!(!matches("ex?mple.com", "exmple.com"));
    }

    #[test]
    fn case_sensitive() {
        assert!(!matches("EXAMPLE.com", "example.com"));
        assert!(!matches("[A-Z]x", "ax"));
    }

    #[test]
    fn character_classes() {
        assert!(matches("host[0-9].lan", "host7.lan"));
        assert!(!matches("host[0-9].lan", "hostx.lan"));
        assert!(matches("host[!0-9].lan", "hostx.lan"));
        assert!(!matches("host[!0-9].lan", "host7.lan"));
        assert!(matches("[]a]", "]"));
        assert!(matches("[!]]", "a"));
        assert!(!matches("[!]]", "]"));
        assert!(matches("[a-]", "-"));
    }

    #[test]
    fn invalid_patterns_match_only_themselves() {
        for p in ["[invalid", "***", "a**", "**a", "[!", "[]", "x[!]"] {
            assert!(!is_valid(p), "{p}");
            assert!(matches(p, p), "{p}");
            assert!(!matches(p, "invalid"), "{p}");
        }
        assert!(is_valid("**"));
        assert!(matches("**", "anything.at.all"));
    }

    /// Every pattern/host pair here gets the same answer from the `glob` crate (upstream's matcher).
    #[test]
    fn agrees_with_the_glob_crate() {
        let atoms = ["a", "b", ".", "*", "**", "?", "[a-b]", "[!a]", "[", "]", "-", "!", "/", "x"];
        let mut patterns: Vec<String> = Vec::new();
        for x in atoms {
            for y in atoms {
                for z in ["", "a", "*", "]", "."] {
                    patterns.push([x, y, z].concat());
                }
            }
        }
        let hosts = ["", "a", "b", "ab", "ba", "a.b", "aa.bb", ".a", "a.", "x", "]", "-", "!", "a/b", "[a", "**", "a[", "abab.b"];
        for p in &patterns {
            let reference = glob::Pattern::new(p);
            for h in hosts {
                let want = match &reference {
                    Ok(pat) => pat.matches(h),
                    Err(_) => p == h,
                };
                assert_eq!(matches(p, h), want, "pattern {p:?} host {h:?}");
                assert_eq!(is_valid(p), reference.is_ok(), "pattern {p:?}");
            }
        }
    }
}

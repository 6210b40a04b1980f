//! The expression language of `print`: a small subset of gdb's C
//! expressions (names, `a.b`, `p->f`, `a[i]`, `*p`, `&x`, `$reg`,
//! `{TYPE} ADDR`, `*(TYPE *) ADDR`, Rust paths `a::b`), parsed into an
//! [`Ast`] that `vars` evaluates against DWARF.

use super::PrintError;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Ast {
    Name(String),
    Num(u64),
    Reg(String),
    /// `{TYPE} ADDR` (also from `*(TYPE *) ADDR`).
    Typed(String, Box<Ast>),
    Addr(Box<Ast>),
    Deref(Box<Ast>),
    Index(Box<Ast>, Box<Ast>),
    /// `.f` or (true) `->f`.
    Field(Box<Ast>, String, bool),
}

pub(super) fn lex(s: &str) -> Result<Vec<String>, PrintError> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    if s.len() > 512 {
        return Err(PrintError::Syntax("the expression is too long".into()));
    }
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c.is_ascii_alphanumeric() || c == b'_' || c == b'$' {
            let st = i;
            i += 1;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push(s[st..i].to_string());
        } else if c == b'-' && b.get(i + 1) == Some(&b'>') {
            out.push("->".into());
            i += 2;
        } else if b":".contains(&c) && b.get(i + 1) == Some(&b':') {
            // Rust paths: a::b as one name.
            let last = out.pop().unwrap_or_default();
            i += 2;
            let st = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push(format!("{last}::{}", &s[st..i]));
        } else if b".*&[](){}".contains(&c) {
            out.push((c as char).to_string());
            i += 1;
        } else {
            return Err(PrintError::Syntax(format!(
                "unexpected '{}' in the expression",
                &s[i..].chars().next().unwrap_or('?')
            )));
        }
    }
    if out.is_empty() {
        return Err(PrintError::Syntax("an expression is needed".into()));
    }
    Ok(out)
}

pub(super) struct Parser<'t> {
    pub(super) toks: &'t [String],
    pub(super) i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&str> {
        self.toks.get(self.i).map(|s| s.as_str())
    }

    fn next(&mut self) -> Option<&str> {
        let t = self.toks.get(self.i)?;
        self.i += 1;
        Some(t.as_str())
    }

    fn expect(&mut self, t: &str) -> Result<(), PrintError> {
        match self.next() {
            Some(x) if x == t => Ok(()),
            Some(x) => Err(PrintError::Syntax(format!("expected '{t}', found '{x}'"))),
            None => Err(PrintError::Syntax(format!("expected '{t}'"))),
        }
    }

    /// The words of a type name up to `end` (`}`, `*` or `)`).
    fn type_name(&mut self) -> Result<String, PrintError> {
        let mut words = Vec::new();
        while let Some(t) = self.peek() {
            if t == "}" || t == "*" || t == ")" {
                break;
            }
            words.push(t.to_string());
            self.i += 1;
        }
        if words.is_empty() {
            return Err(PrintError::Syntax("expected a type name".into()));
        }
        Ok(words.join(" "))
    }

    pub(super) fn expr(&mut self) -> Result<Ast, PrintError> {
        if self.i > 64 {
            return Err(PrintError::Syntax("the expression nests too deeply".into()));
        }
        match self.peek() {
            Some("*") => {
                self.i += 1;
                // `*(TYPE *) ADDR`.
                if self.peek() == Some("(") && self.is_cast() {
                    self.i += 1;
                    let t = self.type_name()?;
                    self.expect("*")?;
                    self.expect(")")?;
                    let a = self.expr()?;
                    return Ok(Ast::Typed(t, Box::new(a)));
                }
                Ok(Ast::Deref(Box::new(self.expr()?)))
            }
            Some("&") => {
                self.i += 1;
                Ok(Ast::Addr(Box::new(self.expr()?)))
            }
            Some("{") => {
                self.i += 1;
                let t = self.type_name()?;
                self.expect("}")?;
                let a = self.expr()?;
                Ok(Ast::Typed(t, Box::new(a)))
            }
            _ => self.postfix(),
        }
    }

    /// At `(`: whether a cast `(TYPE *)` follows.
    fn is_cast(&self) -> bool {
        let rest = &self.toks[self.i..];
        let Some(close) = rest.iter().position(|t| t == ")") else {
            return false;
        };
        close >= 3 && rest[close - 1] == "*"
    }

    fn postfix(&mut self) -> Result<Ast, PrintError> {
        let mut a = match self.next() {
            Some("(") => {
                let a = self.expr()?;
                self.expect(")")?;
                a
            }
            Some(t) if t.starts_with('$') => Ast::Reg(t[1..].to_string()),
            Some(t) if t.as_bytes()[0].is_ascii_digit() => Ast::Num(parse_num(t)?),
            Some(t) if t.len() > 1 || t.as_bytes()[0].is_ascii_alphabetic() || t == "_" => {
                Ast::Name(t.to_string())
            }
            Some(t) => return Err(PrintError::Syntax(format!("unexpected '{t}'"))),
            None => return Err(PrintError::Syntax("an expression is needed".into())),
        };
        loop {
            match self.peek() {
                Some(".") | Some("->") => {
                    let arrow = self.next() == Some("->");
                    let f = match self.next() {
                        Some(f)
                            if f.as_bytes()[0].is_ascii_alphanumeric() || f.starts_with('_') =>
                        {
                            f.to_string()
                        }
                        _ => return Err(PrintError::Syntax("expected a field name".into())),
                    };
                    a = Ast::Field(Box::new(a), f, arrow);
                }
                Some("[") => {
                    self.i += 1;
                    let i = self.expr()?;
                    self.expect("]")?;
                    a = Ast::Index(Box::new(a), Box::new(i));
                }
                _ => return Ok(a),
            }
        }
    }
}

fn parse_num(t: &str) -> Result<u64, PrintError> {
    let r = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(h) => u64::from_str_radix(h, 16),
        None => t.parse(),
    };
    r.map_err(|_| PrintError::Syntax(format!("bad number {t}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_gdb_expressions() {
        let p = |s: &str| {
            let t = lex(s).unwrap();
            let mut p = Parser { toks: &t, i: 0 };
            let a = p.expr().unwrap();
            assert_eq!(p.i, t.len(), "{s}");
            a
        };
        let name = |s: &str| Box::new(Ast::Name(s.into()));
        assert_eq!(
            p("a.b[3]"),
            Ast::Index(
                Box::new(Ast::Field(name("a"), "b".into(), false)),
                Box::new(Ast::Num(3))
            )
        );
        assert_eq!(p("p->next"), Ast::Field(name("p"), "next".into(), true));
        assert_eq!(
            p("{struct point} 0x10"),
            Ast::Typed("struct point".into(), Box::new(Ast::Num(16)))
        );
        assert_eq!(
            p("*(unsigned int *) $sp"),
            Ast::Typed("unsigned int".into(), Box::new(Ast::Reg("sp".into())))
        );
        assert_eq!(p("*p"), Ast::Deref(name("p")));
        assert_eq!(p("&x"), Ast::Addr(name("x")));
        assert_eq!(p("krate::VALUE"), Ast::Name("krate::VALUE".into()));
        for bad in ["", "a +", "a.", "{int 0x10", "a[1", "0xzz"] {
            let r = lex(bad).and_then(|t| {
                let mut p = Parser { toks: &t, i: 0 };
                let a = p.expr()?;
                if p.i != t.len() {
                    return Err(PrintError::Syntax("trailing".into()));
                }
                Ok(a)
            });
            assert!(r.is_err(), "{bad:?} parsed as {r:?}");
        }
    }
}

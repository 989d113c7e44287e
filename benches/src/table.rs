//! Results as Markdown tables, aligned so they read well in a terminal too.

/// A table of text cells; the first column is left-aligned, the others right-aligned.
#[derive(Debug, Clone)]
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new<S: AsRef<str>>(header: &[S]) -> Table {
        Table {
            header: header.iter().map(|h| h.as_ref().to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row; missing cells print empty, extra cells are an error of the caller.
    pub fn row<S: AsRef<str>>(&mut self, cells: &[S]) -> &mut Table {
        assert!(
            cells.len() <= self.header.len(),
            "row wider than the header"
        );
        self.rows
            .push(cells.iter().map(|c| c.as_ref().to_string()).collect());
        self
    }

    /// Prints the table to stdout, followed by a blank line.
    pub fn print(&self) {
        print!("{self}");
        println!();
    }
}

impl std::fmt::Display for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let cols = self.header.len();
        let cell = |row: &[String], i: usize| row.get(i).cloned().unwrap_or_default();
        let widths: Vec<usize> = (0..cols)
            .map(|i| {
                std::iter::once(&self.header)
                    .chain(&self.rows)
                    .map(|r| cell(r, i).chars().count())
                    .max()
                    .unwrap_or(0)
                    .max(3)
            })
            .collect();
        let line = |f: &mut std::fmt::Formatter<'_>, row: &[String]| {
            for (i, w) in widths.iter().enumerate() {
                let text = cell(row, i);
                if i == 0 {
                    write!(f, "| {text:<w$} ")?;
                } else {
                    write!(f, "| {text:>w$} ")?;
                }
            }
            writeln!(f, "|")
        };
        line(f, &self.header)?;
        for (i, w) in widths.iter().enumerate() {
            // Markdown alignment markers matching the padding.
            let dashes = "-".repeat(w.saturating_sub(1));
            if i == 0 {
                write!(f, "| {dashes}- ")?;
            } else {
                write!(f, "| {dashes}: ")?;
            }
        }
        writeln!(f, "|")?;
        for row in &self.rows {
            line(f, row)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligned_markdown() {
        let mut t = Table::new(&["mode", "median"]);
        t.row(&["bare", "432.1"]).row(&["jail", "1000.0"]);
        assert_eq!(
            t.to_string(),
            "| mode | median |\n\
             | ---- | -----: |\n\
             | bare |  432.1 |\n\
             | jail | 1000.0 |\n"
        );
    }
}

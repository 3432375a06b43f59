/// The stylesheet of the `report diff` page: the run page's (``HTMLStyle``: palette, light and
/// dark, print, cards, panels, `num`, `gate-pass`/`gate-fail`, `outcome-ok`/`outcome-bad`, `diag`,
/// `id`) plus what only the diff page has: `scroll` (a wide table scrolls sideways on a phone, ids
/// on one line in it), right-aligned numeric headers, and `panel note` (the "not like for like"
/// box).
enum DiffStyle {
    static var css: String { HTMLStyle.css + "\n" + Self.extra }

    static let extra = """
        :root { --note: #fff8c5; } @media (prefers-color-scheme: dark) { :root { --note: #2d2a12; } }
        th.num { text-align: right; } .scroll code.id { white-space: nowrap; }
        .scroll { overflow-x: auto; } .panel.note { background: var(--note); margin-bottom: 16px; }
        @media print { :root { --note: #fff8c5; } .scroll { overflow: visible; } }
        """
}

/// The stylesheet of the `report diff` page: the run page's rules and class names (`cards`/`card`
/// with `k`/`v`/`n` and `ok`/`failed`, `panel`, `num`, `gate-pass`/`gate-fail`,
/// `outcome-ok`/`outcome-bad`, `diag`, `id`), light and dark, print, plus two of its own:
/// `scroll` (a wide table scrolls sideways on a phone) and `panel note` (the "not like for like"
/// box).
///
/// `base` restates the run page's palette and rules because this branch predates the page's
/// shared stylesheet (`HTMLStyle`, branch `page`); once both are merged, `css` becomes
/// `HTMLStyle.css + extra` and `base` goes.
enum DiffStyle {
    static var css: String { Self.base + "\n" + Self.extra }

    static let extra = """
        .scroll { overflow-x: auto; } .panel.note { background: var(--note); margin-bottom: 16px; }
        @media print { .scroll { overflow: visible; } }
        """

    static let base = """
        :root { color-scheme: light dark; --fg: #1f2328; --bg: #f6f8fa; --panel: #fff; --ok: #1a7f37; --bad: #cf222e; --muted: #57606a; --line: #d0d7de; --note: #fff8c5; }
        @media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --panel: #161b22; --ok: #3fb950; --bad: #f85149; --muted: #9198a1; --line: #30363d; --note: #2d2a12; } }
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); margin: 0; background: var(--bg); }
        main { max-width: 1100px; margin: 0 auto; padding: 24px 28px 48px; }
        h1 { font-size: 22px; margin: 0 0 4px; overflow-wrap: anywhere; } h2 { font-size: 16px; margin: 28px 0 10px; }
        .sub { color: var(--muted); margin-bottom: 18px; overflow-wrap: anywhere; }
        .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 12px; }
        .card, .panel { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; }
        .card { padding: 12px 14px; } .panel { padding: 14px 16px; }
        .card .k { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
        .card .v { font-size: 22px; font-weight: 600; margin: 2px 0; overflow-wrap: anywhere; } .card .n { color: var(--muted); font-size: 12px; }
        .card.ok .v { color: var(--ok); } .card.failed .v { color: var(--bad); }
        table { width: 100%; border-collapse: collapse; } th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { font-size: 12px; color: var(--muted); font-weight: 600; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        code { font: 12.5px ui-monospace, SFMono-Regular, Menlo, monospace; } code.id { white-space: nowrap; }
        .outcome-ok { color: var(--ok); } .outcome-bad { color: var(--bad); overflow-wrap: anywhere; }
        .diag { color: var(--muted); font-size: 13px; overflow-wrap: anywhere; } .gate-pass { color: var(--ok); font-weight: 600; } .gate-fail { color: var(--bad); font-weight: 600; }
        @media (max-width: 600px) { main { padding: 14px 12px 32px; } .panel { padding: 10px; } .cards { grid-template-columns: 1fr 1fr; gap: 8px; } }
        @media print { :root { color-scheme: light; --fg: #000; --bg: #fff; --panel: #fff; --muted: #444; } body { background: #fff; } main { max-width: none; padding: 0; } .panel, .card, tr { break-inside: avoid; } }
        """
}

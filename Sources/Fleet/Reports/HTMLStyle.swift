/// The page's one stylesheet: light and dark (`prefers-color-scheme`), a phone layout under
/// 600 px (one column, tables stacked, the `narrow` chart renderings), and print (light, no
/// shadows, panels kept whole). Charts take their colours from classes here, so dark mode
/// recolours the SVG too.
enum HTMLStyle {
    static let css = """
        :root { color-scheme: light dark; --fg: #1f2328; --bg: #f6f8fa; --panel: #fff; --ok: #1a7f37; --bad: #cf222e;
          --muted: #57606a; --line: #d0d7de; --bar: #0969da; --p90: #9a6700; --load: #afb8c1; --meter: #eaeef2; }
        @media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --panel: #161b22; --ok: #3fb950;
          --bad: #f85149; --muted: #9198a1; --line: #30363d; --bar: #4493f8; --p90: #d29922; --load: #3d444d; --meter: #21262d; } }
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); margin: 0; background: var(--bg); }
        main { max-width: 1100px; margin: 0 auto; padding: 24px 28px 48px; }
        h1 { font-size: 22px; margin: 0 0 4px; overflow-wrap: anywhere; } h2 { font-size: 16px; margin: 28px 0 10px; }
        .sub { color: var(--muted); margin-bottom: 18px; overflow-wrap: anywhere; }
        .interrupted { color: var(--bad); font-weight: 600; }
        .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 12px; }
        .card, .panel { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; }
        .card { padding: 12px 14px; } .panel { padding: 14px 16px; }
        .card .k { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
        .card .v { font-size: 22px; font-weight: 600; margin: 2px 0; overflow-wrap: anywhere; } .card .n { color: var(--muted); font-size: 12px; }
        .card.ok .v { color: var(--ok); } .card.failed .v { color: var(--bad); }
        .pair { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; } .pair > section > h2 { margin-top: 28px; }
        .pair .panel { height: calc(100% - 62px); box-sizing: border-box; }
        table { width: 100%; border-collapse: collapse; } th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { font-size: 12px; color: var(--muted); font-weight: 600; } td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        table.kv th { width: 38%; font-size: 13px; } table.kv td { overflow-wrap: anywhere; }
        code { font: 12.5px ui-monospace, SFMono-Regular, Menlo, monospace; } code.id { display: inline-block; max-width: 100%; overflow-wrap: anywhere; }
        .ids { line-height: 1.9; } .outcome-ok { color: var(--ok); } .outcome-bad { color: var(--bad); overflow-wrap: break-word; }
        .meter { height: 8px; background: var(--meter); border-radius: 4px; overflow: hidden; } .meter span { display: block; height: 100%; }
        .diag { color: var(--muted); font-size: 13px; overflow-wrap: anywhere; } .gate-pass { color: var(--ok); font-weight: 600; } .gate-fail { color: var(--bad); font-weight: 600; }
        figure.chart { margin: 0; } figure.chart svg { display: block; width: 100%; height: auto; }
        svg text { font-family: system-ui, sans-serif; fill: var(--muted); }
        svg .axis { stroke: var(--line); } svg .grid { stroke: var(--line); stroke-dasharray: 2 3; }
        svg .bar { fill: var(--bar); opacity: .85; } svg .ok { fill: var(--ok); opacity: .8; } svg .bad { fill: var(--bad); opacity: .85; }
        svg .load { fill: var(--load); opacity: .55; } svg .start { fill: none; stroke: var(--bar); stroke-width: 2; }
        svg .req { stroke: var(--fg); stroke-width: 1.2; stroke-dasharray: 6 4; opacity: .7; }
        svg .m-p50, svg .l-p50 { stroke: var(--ok); } svg .m-p99, svg .l-p99 { stroke: var(--bad); } svg .l-p90 { stroke: var(--p90); }
        svg .m-p50, svg .m-p99 { stroke-dasharray: 4 3; } svg .l-p50, svg .l-p90, svg .l-p99, svg .l-conn { fill: none; stroke-width: 2; }
        svg .l-conn { stroke: var(--muted); stroke-dasharray: 1 3; stroke-width: 2; }
        svg .t-p50, svg .d-p50 { fill: var(--ok); font-weight: 600; } svg .t-p99, svg .d-p99 { fill: var(--bad); font-weight: 600; } svg .d-p90 { fill: var(--p90); }
        .legend { color: var(--muted); font-size: 12px; margin-top: 6px; } .legend span { display: inline-block; margin-right: 14px; white-space: nowrap; }
        .sw { display: inline-block; width: 14px; height: 3px; vertical-align: middle; margin-right: 5px; background: var(--muted); }
        .sw.p50 { background: var(--ok); } .sw.p90 { background: var(--p90); } .sw.p99, .sw.bad { background: var(--bad); height: 8px; }
        .sw.p99 { height: 3px; } .sw.ok { background: var(--ok); height: 8px; } .sw.start { background: var(--bar); }
        .sw.load { background: var(--load); height: 8px; } .sw.req, .sw.conn { background: none; border-top: 2px dashed var(--fg); height: 0; } .sw.conn { border-top-style: dotted; }
        .sw.conn { border-top-color: var(--muted); }
        figure.chart svg.narrow { display: none; }
        @media (max-width: 900px) { .pair { grid-template-columns: 1fr; } .pair .panel { height: auto; } }
        @media (max-width: 600px) {
          main { padding: 14px 12px 32px; } .panel { padding: 10px; } .cards { grid-template-columns: 1fr 1fr; gap: 8px; }
          figure.chart svg.wide { display: none; } figure.chart svg.narrow { display: block; }
          table.causes tr, table.causes td { display: block; border: 0; padding: 2px 0; } table.causes tr { border-bottom: 1px solid var(--line); padding: 8px 0; }
          table.causes tr.head { display: none; } table.causes td.num { text-align: left; font-weight: 600; }
          table.kv th, table.kv td { display: block; width: auto; border: 0; padding: 2px 0; } table.kv tr { display: block; border-bottom: 1px solid var(--line); padding: 6px 0; }
          table.phases th, table.phases td { padding: 6px 3px; font-size: 12px; }
        }
        @media print {
          :root { color-scheme: light; --fg: #000; --bg: #fff; --panel: #fff; --muted: #444; }
          body { background: #fff; } main { max-width: none; padding: 0; }
          .panel, .card, figure.chart, tr { break-inside: avoid; } figure.chart svg.narrow { display: none; } figure.chart svg.wide { display: block; }
        }
        """
}

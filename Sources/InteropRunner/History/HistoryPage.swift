import Foundation
import InteropCore

/// `history.html`: the runs, then one row per cell with its outcome in each run, self-contained. Views filter by
/// library, scenario (id or family letter) and mode, and show changed, flaky or all cells; each view's filter is in
/// the address (`?library=gnutls&scenario=A4&mode=in-process&show=all`), so a view can be linked.
public enum HistoryPage {
    static let script = """
        const form=document.getElementById('filters');
        function apply(){const p=new URLSearchParams(location.search);
        for(const f of form.elements){if(f.name&&p.has(f.name))f.value=p.get(f.name);}
        const lib=form.library.value,sc=form.scenario.value.trim(),mode=form.mode.value,show=form.show.value;let n=0;
        for(const r of document.querySelectorAll('tr.cell')){const d=r.dataset;
        const ok=(!lib||d.server===lib||d.client===lib)&&(!sc||d.scenario===sc||d.family===sc)&&(!mode||d.mode===mode)
        &&(show==='all'||(show==='flaky'?d.flaky==='1':d.changed==='1'));r.hidden=!ok;if(ok)n++;}
        document.getElementById('shown').textContent=n+' cells shown';}
        form.addEventListener('input',()=>{const p=new URLSearchParams();
        for(const f of form.elements){if(f.name&&f.value&&!(f.name==='show'&&f.value==='changed'))p.set(f.name,f.value);}
        history.replaceState(null,'',location.pathname+(p.toString()?'?'+p:''));apply();});
        apply();
        """

    public static func render(_ history: RunHistory) -> String {
        let escape = HTMLReport.escape
        var html = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>TLSInterop history</title>"
        html += "<style>\(HTMLReport.style)td.o{padding:2px 4px}td.o span{display:inline-block;width:14px;height:14px;border-radius:3px}"
        html += "td.o span.absent{background:#eaeef2}tr.cell td.id{text-align:left;font:12px ui-monospace,monospace}.flaky{color:#cf222e;font-weight:700}"
        html += "form#filters label{margin-right:12px}</style></head><body>\n<h1>TLSInterop history</h1>\n"
        let changed = history.changedCells.count
        html += "<p class=\"meta\">\(history.runs.count) runs, \(history.cells.count) cells: \(changed) changed, \(history.flakyCells.count) flaky "
        html += "(outcome changed between runs of the same commit, library builds and seed)</p>\n"
        html += "<h2>Runs</h2><table class=\"matrix\"><tr><th>run</th><th>started</th><th>commit</th><th>branch</th><th>builds</th><th>seed</th><th>file</th></tr>"
        for run in history.runs {
            html += "<tr><td>#\(run.number)</td><td>\(escape(RunHistory.minute(run.document.startedAt)))</td><td><code>\(escape(run.commit.map { String($0.prefix(12)) } ?? "?"))</code></td>"
            html += "<td>\(escape(run.branch ?? "?"))</td><td>\(escape(run.builds))</td><td>\(run.document.seed)</td><td>\(escape(run.path))</td></tr>"
        }
        html += "</table>\n"
        let events = history.divergenceEvents
        if !events.isEmpty {
            html += "<h2>Divergences that appeared or went away</h2><ul>"
            html += events.map { "<li>run #\($0.run): <strong>\(escape($0.divergence))</strong> \($0.appeared ? "appeared on" : "went away from") \($0.cells.count) cells: \(escape($0.cells.joined(separator: ", ")))</li>" }.joined()
            html += "</ul>\n"
        }
        let libraries = Set(history.cells.flatMap { [$0.server, $0.client] }).sorted()
        let modes = Set(history.cells.map(\.mode)).sorted()
        html += "<h2>Cells</h2><form id=\"filters\" onsubmit=\"return false\">"
        html += "<label>library <select name=\"library\"><option value=\"\">any</option>" + libraries.map { "<option>\(escape($0))</option>" }.joined() + "</select></label>"
        html += "<label>scenario or family <input name=\"scenario\" size=\"6\"></label>"
        html += "<label>mode <select name=\"mode\"><option value=\"\">any</option>" + modes.map { "<option>\(escape($0))</option>" }.joined() + "</select></label>"
        html += "<label>show <select name=\"show\"><option value=\"changed\">changed</option><option value=\"flaky\">flaky</option><option value=\"all\">all</option></select></label>"
        html += "<span id=\"shown\" class=\"meta\"></span></form>\n"
        html += "<table class=\"matrix\"><tr><th>cell</th>" + history.runs.map { "<th title=\"\(escape($0.label))\">#\($0.number)</th>" }.joined() + "<th>outcomes</th></tr>\n"
        for cell in history.cells {
            html += "<tr class=\"cell\" data-server=\"\(escape(cell.server))\" data-client=\"\(escape(cell.client))\" data-scenario=\"\(escape(cell.scenario))\" "
            html += "data-family=\"\(escape(cell.family))\" data-mode=\"\(escape(cell.mode))\" data-changed=\"\(cell.changed ? 1 : 0)\" data-flaky=\"\(cell.flakyIn.isEmpty ? 0 : 1)\""
            // Without scripts the page shows what the default view would: the changed cells.
            html += cell.changed ? ">" : " hidden>"
            html += "<td class=\"id\">\(escape(cell.id))\(cell.flakyIn.isEmpty ? "" : " <span class=\"flaky\">flaky</span>")</td>"
            html += cell.outcomes.enumerated().map { index, outcome in
                let title = "\(history.runs[index].label): \(outcome?.text ?? "absent")"
                return "<td class=\"o\"><span class=\"\(outcome?.status.rawValue ?? "absent")\" title=\"\(escape(title))\"></span></td>"
            }.joined()
            html += "<td class=\"id\">\(escape(cell.sequence))</td></tr>\n"
        }
        html += "</table>\n<script>\(script)</script>\n</body></html>\n"
        return html
    }
}

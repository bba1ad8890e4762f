import Foundation

/// Small, dependency-free SVG charts for the self-contained HTML report.
enum SVGChart {
    static let width = 720.0, height = 260.0
    static let left = 44.0, right = 12.0, top = 16.0, bottom = 46.0

    struct Series {
        let name: String
        let color: String
        let values: [Int]
    }

    /// Stacked bars, one per label.
    static func stackedBars(title: String, labels: [String], series: [Series]) -> String {
        let totals = labels.indices.map { index in series.reduce(0) { $0 + $1.values[index] } }
        let maximum = max(1, totals.max() ?? 1)
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let slot = plotWidth / Double(max(1, labels.count))
        let barWidth = max(2, slot * 0.7)
        var parts = [header(title)]
        parts += axes(maximum: maximum)
        for index in labels.indices {
            var y = top + plotHeight
            let x = left + Double(index) * slot + (slot - barWidth) / 2
            for entry in series where entry.values[index] > 0 {
                let h = plotHeight * Double(entry.values[index]) / Double(maximum)
                y -= h
                parts.append(#"<rect x="\#(f(x))" y="\#(f(y))" width="\#(f(barWidth))" height="\#(f(h))" fill="\#(entry.color)"><title>\#(escape(labels[index])): \#(entry.values[index]) \#(escape(entry.name))</title></rect>"#)
            }
        }
        parts += xLabels(labels, slot: slot)
        parts.append(legend(series.map { ($0.name, $0.color) }))
        parts.append("</svg>")
        return parts.joined(separator: "\n")
    }

    /// A line with points, for a single series over time.
    static func line(title: String, labels: [String], values: [Int], color: String, name: String) -> String {
        let maximum = max(1, values.max() ?? 1)
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let slot = plotWidth / Double(max(1, labels.count))
        var parts = [header(title)]
        parts += axes(maximum: maximum)
        let points = values.indices.map { index in
            (left + Double(index) * slot + slot / 2, top + plotHeight - plotHeight * Double(values[index]) / Double(maximum))
        }
        if !points.isEmpty {
            parts.append(#"<polyline fill="none" stroke="\#(color)" stroke-width="2" points="\#(points.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " "))"/>"#)
            for (index, point) in points.enumerated() {
                parts.append(#"<circle cx="\#(f(point.0))" cy="\#(f(point.1))" r="3" fill="\#(color)"><title>\#(escape(labels[index])): \#(values[index]) \#(escape(name))</title></circle>"#)
            }
        }
        parts += xLabels(labels, slot: slot)
        parts.append(legend([(name, color)]))
        parts.append("</svg>")
        return parts.joined(separator: "\n")
    }

    /// Horizontal bars, one row per label, two stacked parts (e.g. overdue and in time).
    static func horizontalBars(title: String, rows: [(label: String, parts: [Int])], names: [String], colors: [String]) -> String {
        let rowHeight = 22.0
        let labelWidth = 200.0
        let chartHeight = top + Double(rows.count) * rowHeight + 40
        let maximum = max(1, rows.map { $0.parts.reduce(0, +) }.max() ?? 1)
        let plotWidth = width - labelWidth - right - 30
        var parts = [#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 \#(f(width)) \#(f(chartHeight))" width="\#(f(width))" height="\#(f(chartHeight))"><title>\#(escape(title))</title>"#]
        for (index, row) in rows.enumerated() {
            let y = top + Double(index) * rowHeight
            parts.append(#"<text x="\#(f(labelWidth - 6))" y="\#(f(y + 15))" text-anchor="end" class="label">\#(escape(row.label))</text>"#)
            var x = labelWidth
            for (part, value) in row.parts.enumerated() where value > 0 {
                let w = plotWidth * Double(value) / Double(maximum)
                parts.append(#"<rect x="\#(f(x))" y="\#(f(y + 3))" width="\#(f(w))" height="\#(f(rowHeight - 6))" fill="\#(colors[part])"><title>\#(escape(row.label)): \#(value) \#(escape(names[part]))</title></rect>"#)
                x += w
            }
            parts.append(#"<text x="\#(f(x + 4))" y="\#(f(y + 15))" class="label">\#(row.parts.reduce(0, +))</text>"#)
        }
        var legendX = labelWidth
        for (name, color) in zip(names, colors) {
            parts.append(#"<rect x="\#(f(legendX))" y="\#(f(chartHeight - 22))" width="12" height="12" fill="\#(color)"/><text x="\#(f(legendX + 16))" y="\#(f(chartHeight - 12))" class="label">\#(escape(name))</text>"#)
            legendX += 20 + Double(name.count) * 7
        }
        parts.append("</svg>")
        return parts.joined(separator: "\n")
    }

    private static func header(_ title: String) -> String {
        #"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 \#(f(width)) \#(f(height))" width="\#(f(width))" height="\#(f(height))"><title>\#(escape(title))</title>"#
    }

    private static func axes(maximum: Int) -> [String] {
        let plotHeight = height - top - bottom
        var parts: [String] = []
        let step = max(1, Int((Double(maximum) / 4).rounded(.up)))
        var value = 0
        while value <= maximum {
            let y = top + plotHeight - plotHeight * Double(value) / Double(maximum)
            parts.append(#"<line x1="\#(f(left))" x2="\#(f(width - right))" y1="\#(f(y))" y2="\#(f(y))" class="grid"/><text x="\#(f(left - 6))" y="\#(f(y + 4))" text-anchor="end" class="label">\#(value)</text>"#)
            value += step
        }
        return parts
    }

    private static func xLabels(_ labels: [String], slot: Double) -> [String] {
        let every = max(1, Int((Double(labels.count) / 12).rounded(.up)))
        return labels.enumerated().compactMap { index, label in
            guard index % every == 0 else { return nil }
            let x = left + Double(index) * slot + slot / 2
            return #"<text x="\#(f(x))" y="\#(f(height - bottom + 16))" text-anchor="middle" class="label">\#(escape(label))</text>"#
        }
    }

    private static func legend(_ entries: [(String, String)]) -> String {
        var x = left
        return entries.map { name, color in
            defer { x += 24 + Double(name.count) * 7 }
            return #"<rect x="\#(f(x))" y="\#(f(height - 18))" width="12" height="12" fill="\#(color)"/><text x="\#(f(x + 16))" y="\#(f(height - 8))" class="label">\#(escape(name))</text>"#
        }.joined()
    }

    static func f(_ value: Double) -> String { String(format: "%.1f", value) }
    static func escape(_ text: String) -> String { HTML.escape(text) }
}

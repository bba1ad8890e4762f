import Testing
import TestSupport
@testable import ThreatModel

/// A threat's field locations behave as a dictionary of field to location would, kept sorted:
/// checked step by step against a dictionary over random sets, replacements and removals, with
/// fields arriving in order (the cache's case) and out of it (the parser's).
struct FieldLocationsTests {
    @Test(arguments: [UInt64(1), 2, 3, 4])
    func actsAsADictionaryKeptSorted(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        let fields = ["id", "title", "severity", "status", "owner", "mitigations", "élément", "assets", "a", "zz", ""]
        var model: [String: ThreatModel.SourceLocation] = [:]
        var locations = FieldLocations()
        for step in 0..<2_000 {
            let field = seed == 1 && step < fields.count ? fields.sorted()[step] : fields.randomElement(using: &random)!
            let value: ThreatModel.SourceLocation? = Int.random(in: 0..<4, using: &random) == 0 ? nil
                : ThreatModel.SourceLocation(line: Int.random(in: 1...500, using: &random), column: Int.random(in: 1...80, using: &random))
            model[field] = value
            locations[field] = value
            #expect(locations[field] == model[field])
            #expect(locations.entries.map(\.field) == model.keys.sorted())
            #expect(locations.entries.allSatisfy { model[$0.field] == $0.location })
        }
        var rebuilt = FieldLocations()
        for (field, location) in model { rebuilt[field] = location }
        #expect(rebuilt == locations && rebuilt.hashValue == locations.hashValue)
    }
}

/// One page of results and how many there are in all.
package struct Page<Item: Sendable>: Sendable {
    package var items: [Item]
    package var total: Int

    package init(items: [Item], total: Int) {
        self.items = items
        self.total = total
    }
}

/// Which sessions to list.
package struct SessionFilter: Sendable {
    package var userID: String
    /// When set, only sessions of this project.
    package var projectID: String?
    /// When set, only sessions in these states.
    package var states: Set<SessionState>?

    package init(userID: String, projectID: String? = nil, states: Set<SessionState>? = nil) {
        self.userID = userID
        self.projectID = projectID
        self.states = states
    }
}

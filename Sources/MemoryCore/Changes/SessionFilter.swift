/// Which sessions to list.
public struct SessionFilter: Sendable {
    public var userID: String
    /// When set, only sessions of this project.
    public var projectID: String?
    /// When set, only sessions in these states.
    public var states: Set<SessionState>?

    public init(userID: String, projectID: String? = nil, states: Set<SessionState>? = nil) {
        self.userID = userID
        self.projectID = projectID
        self.states = states
    }
}

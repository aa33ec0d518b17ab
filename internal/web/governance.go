package web

// governanceRoutes are the pages and API of the governance capability; none when
// Deps.Governance is nil.
func (s *Server) governanceRoutes() []route {
	if s.deps.Governance == nil {
		return nil
	}
	return nil
}

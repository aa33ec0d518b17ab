package web

// engagementRoutes are the pages and API of the engagement capability; none when
// Deps.Engagement is nil.
func (s *Server) engagementRoutes() []route {
	if s.deps.Engagement == nil {
		return nil
	}
	return nil
}

package web

// financeRoutes are the pages and API of the finance capability; none when
// Deps.Finance is nil.
func (s *Server) financeRoutes() []route {
	if s.deps.Finance == nil {
		return nil
	}
	return nil
}

package web

// variationRoutes are the pages and API of the variation capability; none when
// Deps.Variation is nil.
func (s *Server) variationRoutes() []route {
	if s.deps.Variation == nil {
		return nil
	}
	return nil
}

"""Panel apps for planners and managers; read result files, the plan store and the domain."""

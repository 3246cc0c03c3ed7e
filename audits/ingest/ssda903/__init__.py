"""The DfE SSDA903 looked-after return (CSV set), read onto Lists 8 and 9 with histories."""

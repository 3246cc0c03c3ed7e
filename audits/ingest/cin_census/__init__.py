"""The DfE CIN census XML, read onto Lists 4-7 with every CP review kept."""

-- The customers merged into one (an undo walks them: nested merges go back last first), found by an index
-- rather than by reading every customer of the workspace.
create index customer_merged_into_idx on customer (workspace_id, merged_into_id) where merged_into_id is not null;

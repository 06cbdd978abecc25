-- The channels page counts each channel's deliveries still waiting or given up on; the done ones pile up
-- with every order received and are not read there.
create index channel_delivery_open_idx on channel_delivery (workspace_id, channel_id, status) where status <> 'done';

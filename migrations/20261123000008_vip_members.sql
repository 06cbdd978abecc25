-- The VIP refresh walks from the old threshold to the new one instead of counting down from the top:
-- for that it keeps the number of VIP members (null until a refresh has counted them).
alter table workspace add column vip_members bigint check (vip_members >= 0);

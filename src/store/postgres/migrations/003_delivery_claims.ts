// Migration 3: claims on deliveries (issue 13), so that several replicas deliver from one outbox and each delivery is
// tried by one of them at a time (PostgresStore.claimDelivery: SELECT ... FOR UPDATE SKIP LOCKED, then a lease).
//
// claimed_by names the outbox round holding the delivery (a replica's id and the round's), claimed_until is when the
// claim lapses if that round never releases it (its process died between the claim and recording the outcome). Both
// null: nobody holds it. The columns live beside doc, which stays the Delivery exactly as lowdb writes it.
export default /* sql */ `
ALTER TABLE deliveries
  ADD COLUMN claimed_by text,
  ADD COLUMN claimed_until timestamptz;
`;

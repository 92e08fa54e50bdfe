"use strict";
/*
 * Drives the official Sage Intacct SDK for JavaScript (@intacct/intacct-sdk 2.2.1) against the
 * Intacct simulator, for tests/e2e/test_sdk_conformance.py.
 *
 * Usage: node driver.js '<json>' where the JSON is
 *   {"endpoint": "http://127.0.0.1:PORT/ia/xml/xmlgw.phtml", "senderId": "...",
 *    "senderPassword": "...", "companyId": "...", "userId": "...", "userPassword": "...",
 *    "glObject": "GLACCOUNT", "warehouseRecordNo": "12", "invoiceCustomerId": "C0001",
 *    "invoiceAccountNo": "4000"}
 * It prints one JSON object on stdout: scenario name -> {"ok": true, ...what it saw} or
 * {"ok": false, "error": {"name", "message", "errors", "isIntacctException", ...}}.
 *
 * The only change to the SDK is the one the spec (section 7, workaround (a)) names: its check that
 * the endpoint host ends in .intacct.com is relaxed so it accepts 127.0.0.1. Every call below is
 * an ordinary, documented use of the SDK's own classes.
 */
const IA = require("@intacct/intacct-sdk");

IA.Credentials.Endpoint.isDomainValid = () => true;

function loginConfig(options, overrides) {
    return Object.assign(new IA.ClientConfig(), {
        // A query string the simulator does not echo back: if later calls work with the
        // endpoint SessionProvider stored, the SDK followed the <endpoint> of getAPISession.
        endpointUrl: options.endpoint + "?via=login",
        senderId: options.senderId,
        senderPassword: options.senderPassword,
        companyId: options.companyId,
        userId: options.userId,
        userPassword: options.userPassword,
    }, overrides || {});
}

function describeError(error) {
    return {
        name: error && error.constructor ? error.constructor.name : typeof error,
        message: String(error && error.message),
        errors: error && Array.isArray(error.errors) ? error.errors : [],
        isIntacctException: error instanceof IA.Exceptions.IntacctException,
        isResponseException: error instanceof IA.Exceptions.ResponseException,
        isResultException: error instanceof IA.Exceptions.ResultException,
    };
}

async function session(options, state) {
    const config = await IA.SessionProvider.factory(loginConfig(options));
    state.client = new IA.OnlineClient(config);
    return {
        sessionId: config.sessionId,
        endpointUrl: config.endpointUrl,
        companyId: config.companyId,
        userId: config.userId,
        entityId: config.entityId,
        sessionTimeout: String(config.sessionTimeout),
    };
}

async function readByQuery(options, state) {
    const first = new IA.Functions.Common.ReadByQuery();
    first.objectName = options.glObject;
    first.fields = ["RECORDNO", "ACCOUNTNO", "TITLE"];
    let result = (await state.client.execute(first)).getResult();
    result.ensureStatusSuccess();
    const pages = [];
    const keys = [];
    const resultIds = [];
    for (;;) {
        pages.push(result.count);
        resultIds.push(result.resultId);
        for (const row of result.data) {
            keys.push(row.ACCOUNTNO);
        }
        if (result.numRemaining === 0) {
            break;
        }
        const more = new IA.Functions.Common.ReadMore();
        more.resultId = result.resultId;
        result = (await state.client.execute(more)).getResult();
        result.ensureStatusSuccess();
    }
    return {
        listType: result.listType,
        totalCount: result.totalCount,
        pages: pages,
        rows: keys.length,
        distinct: new Set(keys).size,
        resultIds: resultIds,
    };
}

async function query(options, state) {
    const NewQuery = IA.Functions.Common.NewQuery;
    const fields = new NewQuery.QuerySelect.SelectBuilder().addFields(["RECORDNO", "ACCOUNTNO"]);
    const order = new NewQuery.QueryOrderBy.OrderBuilder().addDescending("ACCOUNTNO");
    const active = new NewQuery.QueryFilter.Filter("STATUS").equalTo("active");
    const pages = [];
    const keys = [];
    let totalCount = null;
    for (let offset = 0; ; ) {
        const q = new NewQuery.Query()
            .assignSelectFields(fields.selects)
            .assignFromObject(options.glObject)
            .assignFilter(active)
            .assignOrderBy(order.orders)
            .assignPageSize(500)
            .assignOffset(offset);
        const result = (await state.client.execute(q)).getResult();
        result.ensureStatusSuccess();
        totalCount = result.totalCount;
        pages.push(result.count);
        for (const row of result.data) {
            keys.push(row.ACCOUNTNO);
        }
        offset += result.count;
        if (result.numRemaining === 0 || result.count === 0) {
            break;
        }
    }
    return {
        totalCount: totalCount,
        pages: pages,
        rows: keys.length,
        distinct: new Set(keys).size,
        first: keys[0],
        last: keys[keys.length - 1],
    };
}

async function customerCreate(options, state) {
    const create = new IA.Functions.AccountsReceivable.CustomerCreate();
    create.customerName = "Harbour Cafe";
    create.printAs = "Harbour Cafe";
    const result = (await state.client.execute(create)).getResult();
    result.ensureStatusSuccess();
    const row = result.data[0];
    state.customerId = row.CUSTOMERID;
    return { listType: result.listType, recordNo: row.RECORDNO, customerId: row.CUSTOMERID };
}

async function customerUpdate(options, state) {
    const update = new IA.Functions.AccountsReceivable.CustomerUpdate();
    update.customerId = state.customerId;
    update.customerName = "Harbour Cafe Ltd";
    const result = (await state.client.execute(update)).getResult();
    result.ensureStatusSuccess();
    const read = new IA.Functions.Common.ReadByName();
    read.objectName = "CUSTOMER";
    read.fields = ["CUSTOMERID", "NAME", "DISPLAYCONTACT.PRINTAS"];
    read.names = [state.customerId];
    const after = (await state.client.execute(read)).getResult();
    after.ensureStatusSuccess();
    return { listType: result.listType, updated: result.data[0], after: after.data[0] };
}

async function genericDelete(options, state) {
    const remove = new IA.Functions.InventoryControl.WarehouseDelete();
    remove.recordNo = options.warehouseRecordNo;
    const result = (await state.client.execute(remove)).getResult();
    result.ensureStatusSuccess();
    const again = new IA.Functions.InventoryControl.WarehouseDelete();
    again.recordNo = options.warehouseRecordNo;
    try {
        await state.client.execute(again);
    } catch (error) {
        return { status: result.status, second: describeError(error) };
    }
    throw new Error("deleting the same warehouse twice succeeded");
}

async function invoiceCreate(options, state) {
    const line = new IA.Functions.AccountsReceivable.InvoiceLineCreate();
    line.glAccountNumber = options.invoiceAccountNo;
    line.transactionAmount = 120.5;
    line.memo = "Rent May 2026";
    const invoice = new IA.Functions.AccountsReceivable.InvoiceCreate();
    invoice.customerId = options.invoiceCustomerId;
    invoice.transactionDate = new Date(2026, 4, 1);
    invoice.dueDate = new Date(2026, 4, 31);
    invoice.invoiceNumber = "INV-SDK-1";
    invoice.lines = [line];
    const result = (await state.client.execute(invoice)).getResult();
    result.ensureStatusSuccess();
    state.invoiceKey = result.key;
    return { key: result.key, functionName: result.functionName };
}

async function invoiceReverse(options, state) {
    if (state.invoiceKey == null) {
        throw new Error("no invoice to reverse: invoice_create did not succeed");
    }
    const reverse = new IA.Functions.AccountsReceivable.InvoiceReverse();
    reverse.recordNo = Number(state.invoiceKey);
    reverse.reverseDate = new Date(2026, 4, 15);
    reverse.memo = "Raised in error";
    const result = (await state.client.execute(reverse)).getResult();
    result.ensureStatusSuccess();
    return { key: result.key, status: result.status, functionName: result.functionName };
}

async function expectFailure(call) {
    try {
        await call();
    } catch (error) {
        return describeError(error);
    }
    throw new Error("the simulator accepted a request it should refuse");
}

async function customerDelete(options, state) {
    const create = new IA.Functions.AccountsReceivable.CustomerCreate();
    create.customerId = "C1234";
    create.customerName = "SaaS Corp";
    create.printAs = "SaaS Corporation";
    (await state.client.execute(create)).getResult().ensureStatusSuccess();
    const remove = new IA.Functions.AccountsReceivable.CustomerDelete();
    remove.customerId = "C1234";
    const result = (await state.client.execute(remove)).getResult();
    result.ensureStatusSuccess();
    // The JS SDK drops an unset key attribute and sends <delete_customer />.
    const unnamed = await expectFailure(() =>
        state.client.execute(new IA.Functions.AccountsReceivable.CustomerDelete()));
    return { status: result.status, functionName: result.functionName, unnamed: unnamed };
}

async function vendorCreate(options, state) {
    const create = new IA.Functions.AccountsPayable.VendorCreate();
    create.vendorName = "Quay Supplies";
    create.printAs = "Quay Supplies";
    const result = (await state.client.execute(create)).getResult();
    result.ensureStatusSuccess();
    state.vendorId = result.data[0].VENDORID;
    return { listType: result.listType, vendorId: state.vendorId };
}

async function billCreate(options, state) {
    const line = new IA.Functions.AccountsPayable.BillLineCreate();
    line.glAccountNumber = options.invoiceAccountNo;
    line.transactionAmount = 76343.43;
    const bill = new IA.Functions.AccountsPayable.BillCreate();
    bill.vendorId = state.vendorId;
    bill.transactionDate = new Date(2026, 4, 1);
    bill.paymentTerm = "N30";
    bill.billNumber = "BILL-SDK-1";
    bill.lines = [line];
    const result = (await state.client.execute(bill)).getResult();
    result.ensureStatusSuccess();
    state.billKey = result.key;
    return { key: result.key, functionName: result.functionName };
}

function vendorDeleteOf(state) {
    const remove = new IA.Functions.AccountsPayable.VendorDelete();
    remove.vendorId = state.vendorId;
    return remove;
}

async function vendorDeleteRefused(options, state) {
    return expectFailure(() => state.client.execute(vendorDeleteOf(state)));
}

async function billDelete(options, state) {
    const remove = new IA.Functions.AccountsPayable.BillDelete();
    remove.recordNo = Number(state.billKey);
    const result = (await state.client.execute(remove)).getResult();
    result.ensureStatusSuccess();
    return { status: result.status, functionName: result.functionName };
}

async function vendorDelete(options, state) {
    const result = (await state.client.execute(vendorDeleteOf(state))).getResult();
    result.ensureStatusSuccess();
    return { status: result.status, functionName: result.functionName };
}

async function contactCreateDelete(options, state) {
    const create = new IA.Functions.Company.ContactCreate();
    create.contactName = "Harbour Accounts";
    create.printAs = "Harbour Cafe Accounts";
    const created = (await state.client.execute(create)).getResult();
    created.ensureStatusSuccess();
    const remove = new IA.Functions.Company.ContactDelete();
    remove.contactName = created.data[0].CONTACTNAME;
    const result = (await state.client.execute(remove)).getResult();
    result.ensureStatusSuccess();
    return { created: created.data[0], status: result.status, functionName: result.functionName };
}

async function invoiceDelete(options, state) {
    const line = new IA.Functions.AccountsReceivable.InvoiceLineCreate();
    line.glAccountNumber = options.invoiceAccountNo;
    line.transactionAmount = 40;
    const invoice = new IA.Functions.AccountsReceivable.InvoiceCreate();
    invoice.customerId = options.invoiceCustomerId;
    invoice.transactionDate = new Date(2026, 4, 2);
    invoice.paymentTerm = "N30";
    invoice.invoiceNumber = "INV-SDK-2";
    invoice.lines = [line];
    const created = (await state.client.execute(invoice)).getResult();
    created.ensureStatusSuccess();
    const remove = new IA.Functions.AccountsReceivable.InvoiceDelete();
    remove.recordNo = Number(created.key);
    const result = (await state.client.execute(remove)).getResult();
    result.ensureStatusSuccess();
    return { key: created.key, status: result.status, functionName: result.functionName };
}

async function readStates(state, objectName, keys) {
    const read = new IA.Functions.Common.Read();
    read.objectName = objectName;
    read.fields = ["RECORDNO", "STATE"];
    read.keys = keys;
    const result = (await state.client.execute(read)).getResult();
    result.ensureStatusSuccess();
    return Object.fromEntries(result.data.map((row) => [row.RECORDNO, row.STATE]));
}

async function apBill(options, state, amount) {
    const line = new IA.Functions.AccountsPayable.BillLineCreate();
    line.glAccountNumber = options.invoiceAccountNo;
    line.transactionAmount = amount;
    const bill = new IA.Functions.AccountsPayable.BillCreate();
    bill.vendorId = "V-PAY";
    bill.transactionDate = new Date(2026, 5, 1);
    bill.paymentTerm = "N30";
    bill.billNumber = "BILL-PAY-" + amount;
    bill.lines = [line];
    const result = (await state.client.execute(bill)).getResult();
    result.ensureStatusSuccess();
    return Number(result.key);
}

async function apPaymentCreate(state, billKey, amount, method) {
    const AP = IA.Functions.AccountsPayable;
    const detail = new AP.ApPaymentDetailBillInfo();
    detail.recordNo = billKey;
    detail.paymentAmount = amount;
    const details = new AP.ApPaymentDetailBuilder();
    details.addApPaymentDetailBill(detail);
    const info = new AP.ApPaymentInfo();
    info.paymentMethod = method;
    info.financialEntityId = "BA1143";
    info.vendorId = "V-PAY";
    info.paymentDate = new Date(2026, 5, 15);
    info.apPaymentDetails = details.getApPaymentDetailList();
    const result = (await state.client.execute(new AP.ApPaymentCreate(info))).getResult();
    result.ensureStatusSuccess();
    return Number(result.data[0].RECORDNO);
}

async function apPaymentRequest(state, Request, key) {
    const result = (await state.client.execute(new Request(key))).getResult();
    result.ensureStatusSuccess();
    return result.functionName;
}

async function apPaymentApproveVoid(options, state) {
    const AP = IA.Functions.AccountsPayable;
    const vendor = new AP.VendorCreate();
    vendor.vendorId = "V-PAY";
    vendor.vendorName = "Quay Plumbing";
    vendor.printAs = "Quay Plumbing";
    (await state.client.execute(vendor)).getResult().ensureStatusSuccess();
    const bills = [await apBill(options, state, 250), await apBill(options, state, 90)];
    const eft = await apPaymentCreate(state, bills[0], 250, "EFT");
    const check = await apPaymentCreate(state, bills[1], 90, "Printed Check");
    const seen = { eft: eft, check: check, bills: bills, functions: [] };
    seen.created = await readStates(state, "APPYMT", [eft, check]);
    seen.functions.push(await apPaymentRequest(state, AP.ApPaymentApprove, eft));
    seen.functions.push(await apPaymentRequest(state, AP.ApPaymentApprove, check));
    seen.approved = await readStates(state, "APPYMT", [eft, check]);
    seen.billsApproved = await readStates(state, "APBILL", bills);
    seen.declineRefused = await expectFailure(() =>
        state.client.execute(new AP.ApPaymentDecline(check)));
    seen.functions.push(await apPaymentRequest(state, AP.ApPaymentVoid, check));
    seen.functions.push(await apPaymentRequest(state, AP.ApPaymentVoid, eft));
    seen.voided = await readStates(state, "APPYMT", [eft, check]);
    seen.billsVoided = await readStates(state, "APBILL", bills);
    return seen;
}

async function authFailure(options) {
    try {
        await IA.SessionProvider.factory(loginConfig(options, { userPassword: "not-the-password" }));
    } catch (error) {
        return describeError(error);
    }
    throw new Error("a wrong password was accepted");
}

const SCENARIOS = [
    ["session", session],
    ["read_by_query", readByQuery],
    ["query", query],
    ["customer_create", customerCreate],
    ["customer_update", customerUpdate],
    ["delete", genericDelete],
    ["invoice_create", invoiceCreate],
    ["invoice_reverse", invoiceReverse],
    ["customer_delete", customerDelete],
    ["vendor_create", vendorCreate],
    ["bill_create", billCreate],
    ["vendor_delete_refused", vendorDeleteRefused],
    ["bill_delete", billDelete],
    ["vendor_delete", vendorDelete],
    ["contact_create_delete", contactCreateDelete],
    ["invoice_delete", invoiceDelete],
    ["ap_payment_approve_void", apPaymentApproveVoid],
    ["auth_failure", authFailure],
];

async function main() {
    const options = JSON.parse(process.argv[2]);
    const state = {};
    const report = {};
    for (const [name, scenario] of SCENARIOS) {
        if (name !== "session" && name !== "auth_failure" && state.client == null) {
            report[name] = { ok: false, error: { name: "Skipped", message: "no session" } };
            continue;
        }
        try {
            report[name] = Object.assign({ ok: true }, await scenario(options, state));
        } catch (error) {
            report[name] = { ok: false, error: describeError(error) };
        }
    }
    process.stdout.write(JSON.stringify(report) + "\n");
}

main().catch((error) => {
    process.stderr.write(String(error && error.stack) + "\n");
    process.exit(1);
});

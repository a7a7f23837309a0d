/**
 * What the PHI guard is built from, written down so it can be read, argued with and tested:
 *
 * - PHI_FORMS: the ways patient identifiers are written in real build documentation (tickets pasted into a
 *   page, test scripts, defect write-ups), one example each. The guard must refuse every one.
 * - PATIENT_VOCABULARY: Epic and Workday words that begin with "Patient" and name a screen, activity,
 *   record, table, team or role, not a person. The guard must let every one through.
 * - BUILD_WORDS: further capitalised words that follow "patient" in build writing (headings are in title
 *   case) and are never part of a person's name.
 *
 * Decisions recorded here:
 * - Account-type numbers (CSN, HAR, encounter number, hospital account number) are HIPAA identifiers like
 *   the MRN; they are refused when labelled, as "account number".
 * - E-mail addresses are refused only when labelled as the patient's: staff and team addresses belong in
 *   build documentation.
 * - Dates need a label (DOB, born, …) and a day: go-live and cutover dates are the wiki's bread and butter,
 *   and a bare year is not an identifier.
 * - Names need a "patient" label and two name-shaped words (or a title such as Mrs., or "patient name:").
 *   Epic test patients (ZZTEST, Zztest, Test) are build fixtures, not people.
 * - Without the word "patient", a name is refused when what is beside it makes it a patient's: a bed or room
 *   ("Bed 12 Okafor", "Okafor (bed 12)"), a place on a unit ("Smith, John on 4 West"), an age with a sex
 *   ("72 yo F Okafor"), or, for Last, First, a date or a record number right after it. A title (Mr., Mrs.,
 *   Ms., Miss) counts with a bed, unit or age within three words, or a clinical word in the sentence
 *   (insulin, NPO, "was admitted"). "Dr." is usually the analyst's colleague ("Dr. Patel approved the
 *   build"), so a doctor is a patient only with a bed, an age or "(the patient)" right after the name. A
 *   word of the analyst's work in the sentence (from, analyst, approved, training, …) keeps it a colleague.
 * - Street addresses are refused with an apartment or unit ("Apt 4B", "Unit 12", "#3"): that is a home.
 *   Suites are offices and clinics, and a street alone is too often a building's.
 * - Seven-digit phone numbers are refused only after a person's phone label ("cell", "home phone",
 *   "callback number for the wife is"); unlabelled ones are extensions and help desk lines.
 * - Phone numbers are refused wherever they appear (North American shapes); an admin allows a published
 *   service desk number on /admin/phi.
 */
import type { PhiKind } from '../core/context.js';

export interface PhiForm {
  kind: PhiKind;
  /** What the form is, in words. */
  form: string;
  /** A sentence the way people write it. */
  example: string;
}

export const PHI_FORMS: PhiForm[] = [
  // Social Security numbers: separators people type or paste from Word/Outlook (which turns "-" into en or em dashes).
  { kind: 'Social Security number', form: 'SSN with hyphens', example: 'Called back about 123-45-6789 before go-live.' },
  { kind: 'Social Security number', form: 'SSN with en dashes (pasted from Word)', example: 'Patient SSN 123–45–6789 was in the defect.' },
  { kind: 'Social Security number', form: 'SSN with em dashes', example: 'Found 123—45—6789 in the test script.' },
  { kind: 'Social Security number', form: 'SSN with minus signs', example: 'Guarantor 123−45−6789 on the account.' },
  { kind: 'Social Security number', form: 'SSN with spaces', example: 'Guarantor 123 45 6789 on the account.' },
  { kind: 'Social Security number', form: 'SSN with dots', example: 'Old record had 123.45.6789 in it.' },
  { kind: 'Social Security number', form: 'SSN without separators, labelled', example: 'SSN: 078051120 was in the test script.' },
  { kind: 'Social Security number', form: 'SS# label', example: 'SS# 219-09-9999 from the interface log.' },
  { kind: 'Social Security number', form: 'social security number spelled out', example: 'social security number is 219099999' },
  { kind: 'Social Security number', form: 'Soc Sec # label', example: 'Soc Sec #: 219 09 9999' },
  { kind: 'Social Security number', form: 'SSN in fullwidth digits', example: 'SSN １２３-４５-６７８９ in the message.' },
  { kind: 'Social Security number', form: 'SSN in Arabic-Indic digits', example: 'SSN ١٢٣-٤٥-٦٧٨٩ in the message.' },
  { kind: 'Social Security number', form: 'SSN in a Markdown table', example: '| SSN | 123-45-6789 |' },
  // Medical record numbers and other record identifiers: every label Epic users type.
  { kind: 'medical record number', form: 'MRN label', example: 'Reproduced on MRN 00482913 in TST.' },
  { kind: 'medical record number', form: 'MRN with colon', example: 'MRN: 482913' },
  { kind: 'medical record number', form: 'mrn lowercase, hash', example: 'see mrn #4829133 for the example' },
  { kind: 'medical record number', form: 'MRN glued to the number', example: 'Reproduced on MRN00482913.' },
  { kind: 'medical record number', form: 'MR# label', example: 'MR# 4829133 had the duplicate.' },
  { kind: 'medical record number', form: 'MR # label', example: 'MR # 4829133 had the duplicate.' },
  { kind: 'medical record number', form: 'MR number label', example: 'MR number 4829133 had the duplicate.' },
  { kind: 'medical record number', form: 'Med Rec # label', example: 'Med Rec # 4829133 had the duplicate.' },
  { kind: 'medical record number', form: 'Med. Rec. No. label', example: 'Med. Rec. No. 4829133 had the duplicate.' },
  { kind: 'medical record number', form: 'medical record number', example: 'See medical record number: E7734412.' },
  { kind: 'medical record number', form: 'Medical Record Number (MRN)', example: 'Medical Record Number (MRN): 00482913' },
  { kind: 'medical record number', form: 'medical record no.', example: 'medical record no. 4829133' },
  { kind: 'medical record number', form: 'medical rec #', example: 'medical rec # 4829133 was merged' },
  { kind: 'medical record number', form: 'MRN=, no space', example: 'mrn=12345678' },
  { kind: 'medical record number', form: 'Pt MRN', example: 'Pt MRN 4829133 on the tracking board.' },
  { kind: 'medical record number', form: 'Patient MRN with letter prefix', example: 'Patient MRN is E1234567.' },
  { kind: 'medical record number', form: 'MRN with dashes', example: 'MRN 00-482-913' },
  { kind: 'medical record number', form: 'MRN in a Markdown table', example: '| MRN | 00482913 |' },
  { kind: 'medical record number', form: 'MRN on the next line of a label', example: 'MRN:\n00482913' },
  { kind: 'account number', form: 'CSN (contact serial number)', example: 'Encounter CSN 123456789 dropped the charge.' },
  { kind: 'account number', form: 'HAR (hospital account record)', example: 'HAR: 90012345 did not bill.' },
  { kind: 'account number', form: 'hospital account number', example: 'Hospital account # 90012345 did not bill.' },
  { kind: 'account number', form: 'encounter number', example: 'encounter number 5501234 was reopened' },
  // Dates of birth: every label, every date shape.
  { kind: 'date of birth', form: 'DOB numeric', example: 'Patient DOB 03/14/1962 triggered the alert.' },
  { kind: 'date of birth', form: 'DOB two-digit year', example: 'DOB 3/14/62' },
  { kind: 'date of birth', form: 'DOB in parentheses', example: 'The patient (DOB 01/02/1980) was seen.' },
  { kind: 'date of birth', form: 'date in parentheses after DOB', example: 'DOB (01/02/1980) on the wristband.' },
  { kind: 'date of birth', form: 'D.O.B.', example: 'D.O.B. 01/02/1980' },
  { kind: 'date of birth', form: 'dob: ISO', example: 'dob: 1980-01-02' },
  { kind: 'date of birth', form: 'date of birth ISO', example: 'Date of birth: 1962-03-14.' },
  { kind: 'date of birth', form: 'birth date, day month year', example: 'birth date 2 January 1980' },
  { kind: 'date of birth', form: 'birthdate, month day year', example: 'birthdate January 2, 1980' },
  { kind: 'date of birth', form: 'born on, month day year', example: 'She was born on March 14, 1962.' },
  { kind: 'date of birth', form: 'born, abbreviated month', example: 'born Jan 2 1980' },
  { kind: 'date of birth', form: 'born, ordinal day', example: 'born on the 2nd of January, 1980' },
  { kind: 'date of birth', form: 'DOB dotted European', example: 'DOB 02.01.1980' },
  { kind: 'date of birth', form: 'DOB with dashes', example: 'DOB 01-02-1980' },
  { kind: 'date of birth', form: 'DOB day-month-year with month name', example: 'DOB 02-JAN-1980' },
  { kind: 'date of birth', form: 'DOB compact', example: 'DOB 19800102' },
  { kind: 'date of birth', form: 'DOB in fullwidth digits', example: 'DOB ０１/０２/１９８０' },
  { kind: 'date of birth', form: 'date of birth (DOB)', example: 'Date of Birth (DOB): 01/02/1980' },
  // Phone numbers: North American shapes.
  { kind: 'phone number', form: '(555) 123-4567', example: 'Her daughter called from (608) 555-0142.' },
  { kind: 'phone number', form: '(555)123-4567', example: 'Callback (608)555-0142 please.' },
  { kind: 'phone number', form: '(555)-123-4567', example: 'Callback (608)-555-0142 please.' },
  { kind: 'phone number', form: '+1 (555) 123-4567', example: 'Callback +1 (608) 555-0142 please.' },
  { kind: 'phone number', form: '+1 prefix', example: 'Reach her on +1 608 555 0142.' },
  { kind: 'phone number', form: '+1 with dashes', example: 'Reach her on +1-608-555-0142.' },
  { kind: 'phone number', form: '+1 run together', example: 'Reach her on +16085550142.' },
  { kind: 'phone number', form: '1- prefix', example: 'Reach her on 1-608-555-0142.' },
  { kind: 'phone number', form: 'dots', example: 'Reach her on 608.555.0142.' },
  { kind: 'phone number', form: 'spaces', example: 'Reach her on 608 555 0142.' },
  { kind: 'phone number', form: 'dashes with extension', example: 'Office 608-555-0142 ext. 12' },
  { kind: 'phone number', form: 'en dashes', example: 'Reach her on 608–555–0142.' },
  // Patient names after a patient label.
  { kind: 'patient name', form: 'patient First Last', example: 'The patient John Smith was double-booked.' },
  { kind: 'patient name', form: 'Patient: Last, First', example: 'Patient: Lopez, Maria' },
  { kind: 'patient name', form: 'patient: Last, First lowercase label', example: 'patient: Smith, John' },
  { kind: 'patient name', form: 'Pt. First Last', example: 'Pt. John Smith arrived early.' },
  { kind: 'patient name', form: 'Pt First Last', example: 'Pt John Smith arrived early.' },
  { kind: 'patient name', form: 'pt: First Last', example: 'pt: John Smith' },
  { kind: 'patient name', form: 'accented names', example: 'Patient José García was registered twice.' },
  { kind: 'patient name', form: 'apostrophe names', example: 'Patient Seán O\'Brien was registered twice.' },
  { kind: 'patient name', form: 'typographic apostrophe names', example: 'Patient Seán O’Brien was registered twice.' },
  { kind: 'patient name', form: 'hyphenated names', example: 'Patient Mary Smith-Jones was registered twice.' },
  { kind: 'patient name', form: 'patient name: label', example: 'patient name: Smith' },
  { kind: 'patient name', form: "patient's name is", example: "The patient's name is Ana Lucía Pérez." },
  { kind: 'patient name', form: 'patient named', example: 'A patient named Wei Chen could not log in.' },
  { kind: 'patient name', form: 'middle initial', example: 'Patient: John A. Smith' },
  { kind: 'patient name', form: 'appositive', example: 'The patient, John Smith, fell twice.' },
  { kind: 'patient name', form: 'spaced dash label', example: 'patient name - John Smith' },
  { kind: 'patient name', form: 'patient is First Last', example: 'The patient is Nguyễn Văn An.' },
  { kind: 'patient name', form: 'title Mrs.', example: 'Patient Mrs. Okafor was double-booked.' },
  { kind: 'patient name', form: 'title Mr', example: 'the patient, Mr Nguyen, was double-booked' },
  { kind: 'patient name', form: 'Epic LAST,FIRST', example: 'Patient: SMITH,JOHN' },
  { kind: 'patient name', form: 'name in a Markdown table', example: '| Patient | John Smith |' },
  { kind: 'patient name', form: 'name before the build words', example: 'Patient Jane Doe Consent Form was scanned twice.' },
  // Names that the words around them make a patient's.
  { kind: 'patient name', form: 'title, surname and bed', example: 'Mrs. Okafor in bed 12 was given the 0900 heparin twice.' },
  { kind: 'patient name', form: 'title, surname and unit', example: 'Ms. Abernathy on 5 North had her allergy list wiped.' },
  { kind: 'patient name', form: 'title, surname and a clinical event', example: 'Mr Haddad was admitted but the bed board still showed the ED.' },
  { kind: 'patient name', form: 'Dr. as the patient', example: 'Dr. Whitfield in bed 7 was given his meds twice.' },
  { kind: 'patient name', form: 'Last, First on a unit', example: 'Smith, John on 4 West had two active admissions.' },
  { kind: 'patient name', form: 'Last, First with a record number', example: 'Novak, Petra 04482913 merged into the wrong chart.' },
  { kind: 'patient name', form: 'Last, First with a date of birth', example: 'Reyes, Carmen 3/14/1952 showed twice in the MPI.' },
  { kind: 'patient name', form: 'LAST, FIRST with a bed', example: 'ALVAREZ, ROSA bed 3E-07 missing from the whiteboard.' },
  { kind: 'patient name', form: 'patient with an initial', example: 'patient J. Smith had two active encounters.' },
  { kind: 'patient name', form: 'pt with initials and a date', example: 'pt JS 3/14/52 in 12 had a duplicate MAR.' },
  { kind: 'patient name', form: 'age and sex with a name', example: '72 yo F Okafor in 12 had the wrong diet order.' },
  { kind: 'patient name', form: 'surname with age and sex', example: 'Okafor 72yo F bed 12 - diet order dropped.' },
  { kind: 'patient name', form: 'bed with a name', example: 'Rm 412 - Delgado - telemetry did not come across.' },
  { kind: 'patient name', form: 'surname with a bed in brackets', example: 'Okafor (bed 12) still shows NPO.' },
  // Record numbers without their own label, dates of birth abbreviated, local phone numbers, home addresses.
  { kind: 'medical record number', form: 'pt # and a number', example: 'pt #00482913 is the one with the duplicate.' },
  { kind: 'medical record number', form: 'patient and a number', example: 'patient 4482913 had two active encounters.' },
  { kind: 'account number', form: 'FIN# (Cerner financial number)', example: 'FIN# 884412031 never dropped a charge.' },
  { kind: 'date of birth', form: 'b. abbreviation', example: 'b. 3/14/1952, admitted through the ED' },
  { kind: 'date of birth', form: 'month name, two-digit year', example: 'DOB 14 Mar 52 per the label.' },
  { kind: 'phone number', form: 'seven digits after a phone label', example: 'Home phone 555-0142 was on the wrong contact.' },
  { kind: 'street address', form: 'street with an apartment', example: 'Lives at 1423 Maple Ave Apt 4B.' },
  { kind: 'street address', form: 'street with a unit number', example: 'Address: 221 N Elm St #3 Madison' },
  // E-mail addresses labelled as the patient's.
  { kind: 'e-mail address', form: "patient's e-mail", example: "Patient's e-mail jsmith1980@gmail.com bounced." },
  { kind: 'e-mail address', form: 'patient email:', example: 'patient email: maria.lopez@example.com' },
];

/**
 * Epic (Hyperspace activities, MyChart, Cadence, Prelude, ADT/Grand Central, Beaker, Willow, Radiant,
 * Resolute, Clarity/Caboodle) and Workday words that begin with "Patient". Workday is an HR system and has
 * few: its healthcare vocabulary is mostly about patient-facing roles and job families.
 */
export const PATIENT_VOCABULARY: string[] = [
  // Hyperspace activities, screens and navigators
  'Patient Station', 'Patient Lists', 'Patient List', 'Patient Lookup', 'Patient Lookup Activity', 'Patient Search', 'Patient Select',
  'Patient Header', 'Patient Banner', 'Patient Sidebar', 'Patient Storyboard', 'Patient Story', 'Patient Summary', 'Patient Snapshot',
  'Patient Synopsis', 'Patient Chart', 'Patient Workspace', 'Patient Context', 'Patient Timeline', 'Patient Overview',
  'Patient Sticky Note', 'Patient Sticky Notes', 'Patient FYI Flag', 'Patient FYI', 'Patient Friendly Summary', 'Patient Friendly Names',
  'Patient Education', 'Patient Education Activity', 'Patient and Family Education', 'Patient Family Education', 'Patient Instructions',
  'Patient Discharge Instructions', 'Patient Care Coordination Note', 'Patient Care Coordination', 'Patient Care Plan', 'Patient Care Team',
  'Patient Care Orders', 'Patient Care', 'Patient Goals', 'Patient Problem List', 'Patient Allergies', 'Patient Medications', 'Patient Medication List',
  'Patient Identification', 'Patient Identity', 'Patient Identifier', 'Patient ID', 'Patient ID Band', 'Patient Wristband', 'Patient Armband',
  'Patient Label', 'Patient Labels', 'Patient Photo', 'Patient Picture', 'Patient Consent Form', 'Patient Consent', 'Patient Consents',
  'Patient Authorization Form', 'Patient Signature Capture', 'Patient Signature Pad', 'Patient Verification', 'Patient Weight Based Dosing',
  'Patient Weight', 'Patient Height', 'Patient Vitals', 'Patient Intake and Output', 'Patient Fall Risk', 'Patient Sitter', 'Patient Observation',
  'Patient Mobility', 'Patient Handoff', 'Patient Hand-off', 'Patient Rounding', 'Patient Whiteboard', 'Patient Monitoring', 'Patient Monitor',
  'Patient Device Integration', 'Patient Alerts', 'Patient Alert', 'Patient Preferences', 'Patient Preferred Language', 'Patient Language',
  'Patient Notes', 'Patient Note', 'Patient Routing Slip', 'Patient Orders', 'Patient Results', 'Patient Result Release', 'Patient Test Results',
  'Patient Own Medications', 'Patient Supplied Medication', 'Patient Controlled Analgesia', 'Patient-Controlled Analgesia', 'Patient Prep Instructions',
  // ADT / Grand Central, Prelude, Cadence, Resolute
  'Patient Class', 'Patient Type', 'Patient Status', 'Patient Movement', 'Patient Movement Activity', 'Patient Location', 'Patient Location Board',
  'Patient Tracking Board', 'Patient Track Board', 'Patient Transport', 'Patient Transportation', 'Patient Transfer', 'Patient Transfer Center',
  'Patient Arrival', 'Patient Discharge', 'Patient Placement', 'Patient Bed Assignment', 'Patient Bed Request', 'Patient Census', 'Patient Census Report',
  'Patient Acuity', 'Patient Classification', 'Patient Level of Care', 'Patient Service', 'Patient Flow', 'Patient Flow Center', 'Patient Logistics',
  'Patient Throughput', 'Patient Leave of Absence', 'Patient Belongings', 'Patient Valuables', 'Patient Registration', 'Patient Registration Form',
  'Patient Demographics', 'Patient Demographics Form', 'Patient Contacts', 'Patient Contact', 'Patient Merge', 'Patient Unmerge',
  'Patient Duplicate Checking', 'Patient Matching', 'Patient Index', 'Patient Access', 'Patient Access Services', 'Patient Access Representative',
  'Patient Access Center', 'Patient Access Manager', 'Patient Access Training', 'Patient Check-In', 'Patient Check In', 'Patient Arrived',
  'Patient Kiosk', 'Patient Welcome', 'Patient Scheduling', 'Patient Self-Scheduling', 'Patient Appointment Reminders', 'Patient Reminders',
  'Patient Recall', 'Patient Waitlist', 'Patient Wait List', 'Patient Estimates', 'Patient Estimate', 'Patient Estimate Letter',
  'Patient Financial Services', 'Patient Financial Assistance', 'Patient Financial Counselor', 'Patient Billing', 'Patient Statement',
  'Patient Statements', 'Patient Payment', 'Patient Payments', 'Patient Balance', 'Patient Responsibility', 'Patient Account', 'Patient Accounts',
  'Patient Accounting', 'Patient Liability', 'Patient Refund', 'Patient Trust Account', 'Patient Encounter', 'Patient Encounters',
  'Patient Encounter Summary',
  // MyChart and outreach
  'Patient Portal', 'Patient Portal Activation', 'Patient Portal Signup', 'Patient Portal Messages', 'Patient Proxy', 'Patient Proxy Access',
  'Patient Messages', 'Patient Message', 'Patient Medical Advice Request', 'Patient Entered Questionnaire', 'Patient Entered Flowsheets',
  'Patient Entered Data', 'Patient Generated Health Data', 'Patient Questionnaire', 'Patient Questionnaires', 'Patient Health Questionnaire',
  'Patient Reported Outcomes', 'Patient-Reported Outcome Measures', 'Patient Self Triage', 'Patient Video Visit', 'Patient Video Visits',
  'Patient E-Visit', 'Patient eCheck-In', 'Patient Outreach', 'Patient Outreach Campaign', 'Patient Engagement', 'Patient Communication',
  'Patient Communications', 'Patient Letter', 'Patient Letters', 'Patient Correspondence', 'Patient Handout', 'Patient Handouts',
  'Patient Information', 'Patient Info', 'Patient Information Sheet', 'Patient Health Summary', 'Patient Health Record', 'Patient Health Maintenance',
  // Beaker, Willow, Radiant
  'Patient Specimen', 'Patient Specimens', 'Patient Sample', 'Patient Lab Results', 'Patient Imaging', 'Patient Preparation', 'Patient Pharmacy',
  // Population health, reporting, Clarity and Caboodle
  'Patient Population', 'Patient Populations', 'Patient Registry', 'Patient Registries', 'Patient Cohort', 'Patient Panel', 'Patient Panels',
  'Patient Attribution', 'Patient Assignment', 'Patient Assignments', 'Patient Relationship', 'Patient Relationships', 'Patient Reports',
  'Patient Report', 'Patient Level Reporting', 'Patient Data', 'Patient Data Extract', 'Patient Data Feed', 'Patient Dim', 'Patient Fact',
  'Patient Record', 'Patient Records', 'Patient Record Review', 'Patient Outcomes', 'Patient Safety Indicators',
  // Committees, teams, roles (also Workday job profiles)
  'Patient Safety Committee', 'Patient Safety', 'Patient Safety Event', 'Patient Safety Net', 'Patient Safety Officer', 'Patient Experience',
  'Patient Experience Committee', 'Patient Experience Survey', 'Patient Satisfaction', 'Patient Satisfaction Survey', 'Patient Relations',
  'Patient Advocacy', 'Patient Advocate', 'Patient Representative', 'Patient Liaison', 'Patient Navigator', 'Patient Navigation',
  'Patient and Family Advisory Council', 'Patient Family Advisory Council', 'Patient Care Services', 'Patient Care Technician', 'Patient Care Tech',
  'Patient Care Assistant', 'Patient Care Coordinator', 'Patient Care Manager', 'Patient Service Representative', 'Patient Services Representative',
  'Patient Coordinator', 'Patient Scheduler', 'Patient Transporter', 'Patient Escort', 'Patient Financial Navigator', 'Patient Account Representative',
  'Patient Complaint', 'Patient Complaints', 'Patient Grievance', 'Patient Grievances', 'Patient Rights', 'Patient Rights and Responsibilities',
  'Patient Bill of Rights', 'Patient Privacy', 'Patient Restrictions',
];

/**
 * Capitalised words that follow "patient" in headings and build writing (title case) and are never a
 * person's name. Together with every word of PATIENT_VOCABULARY they end a run of name-shaped words.
 */
export const BUILD_WORDS: string[] = (
  'Activity Activities Report Reports Window Form Forms Field Fields Column Columns Table Tables Workflow Workflows Section Sections Tab Tabs ' +
  'Button Buttons Template Templates Rule Rules Extension Extensions Property Properties Item Items Setting Settings Screen Screens Flowsheet ' +
  'Flowsheets Row Rows Group Groups Navigator Navigators Print Printout Printing Group Build Config Configuration Record Records Master File Files ' +
  'Interface Interfaces Feed Feeds Message Messages Queue Queues Worklist Worklists Inbox Basket Pool Pools Order Orders Set Sets Panel Panels ' +
  'Question Questions Questionnaire Series Letter Letters Note Notes Type Types Class Classes Level Levels Center Centre Team Teams Unit Units ' +
  'Department Departments Dept Clinic Clinics Room Rooms Bed Beds Board Boards Dashboard Dashboards Metric Metrics Registry Workbench Extract ' +
  'Evaluation Assessment Assessments Education Teaching Sheet Sheets Handout Handouts Instructions Summary Guide Guides Tip Tips Sheet Job Aid Aids ' +
  'Training Trainer Trainers Manager Managers Director Supervisor Analyst Analysts Specialist Specialists Representative Coordinator Committee Council ' +
  'Workgroup Policy Policies Procedure Procedures Process Processes Program Programs Project Projects Request Requests Ticket Tickets Issue Issues ' +
  'Hyperspace MyChart Cadence Prelude ADT Beaker Willow Radiant Resolute Clarity Caboodle Cogito Epic Workday Haiku Canto Rover Welcome Kiosk ' +
  'Grand Central EpicCare Ambulatory Inpatient Outpatient Emergency Surgical Surgery OpTime Anesthesia Stork Healthy Planet Tapestry Compass ' +
  'Lookup Search Select Selection Header Banner List Lists Station Portal Access Safety Movement Experience Weight Based Dosing Consent Friendly ' +
  'Sticky FYI Flag Flags Entered Estimates Estimate Outreach Story Wristband Identification Demographics Registration Financial Services Billing ' +
  'Tracking Track Location Transport Transfer Arrival Discharge Status Alert Alerts Info Information Contact Contacts Merge Duplicate Matching ' +
  'Preferences Monitoring Flow Care Coordination Family Relations Advocacy Portal Intake Label Labels Chart Charts Encounter Encounters Data ' +
  'Level Reporting Outcomes Population Populations Cohort Attribution Assignment Privacy Restrictions Rights Complaint Grievance Satisfaction ' +
  'Survey Self Scheduling Appointment Appointments Reminder Reminders Recall Waitlist Statement Statements Payment Payments Balance Account Accounts ' +
  'Refund Liability Responsibility Specimen Specimens Sample Samples Results Result Imaging Pharmacy Medication Medications Allergies Problem ' +
  'Problems Goals Plan Plans Vitals Height Monitor Observation Mobility Handoff Rounding Whiteboard Census Acuity Classification Placement ' +
  'Logistics Throughput Belongings Valuables Checklist Identity Identifier ID Band Armband Photo Picture Signature Capture Pad Verification ' +
  'Advisory Navigation Engagement Communication Communications Correspondence Proxy Generated Reported Questionnaires Portal Video Visit Visits ' +
  'Health Maintenance Preparation Prep Supplied Own Controlled Analgesia Timeline Overview Synopsis Snapshot Storyboard Sidebar Workspace Context ' +
  'Fall Risk Sitter Whiteboard Language Preferred Dim Fact Review Test Testing Validation Go-Live Cutover Downtime BCA Dashboard Overview Module ' +
  'Logic Grouper Groupers Criteria Tool Tools Rule Filter Filters Smart SmartText SmartPhrase SmartLink SmartForm SmartSet Macro Link Links ' +
  'Name Names Number Numbers Friendly Facing Portal Leadership Nursing Clinical Quality Operations Support Help Desk Service Desk Update Upgrade ' +
  'Day Days Mix Trend Trends Analysis Analytics Coverage Coverages Filing Demographic Change Changes Death Deceased Study Studies Research Enrollment ' +
  'Hold Holds Reason Reasons Slot Slots Reservation Vital Signs Sign Rx Renewal Refill Copay Collection Collections Cost Costs Estimator Price ' +
  'Pricing Transparency Advance Directive Directives Pain Sedation Score Scores Scoring Time Times Wait Volume Volumes Count Counts KPI KPIs ' +
  'Insurance Guarantor Address Phone Email Contact Emergency Preferred Home Confidential Confidentiality Sensitive Isolation Infection Precautions ' +
  'Code Diet Nutrition Skin Restraint Incident Feedback Ombudsman Charity Assistance Prepayment Clearance Charge Charges Expected Readmission ' +
  'Milestones Linking Interface Association Callback Call Routing Rooming Arrival Intake Kiosk Messaging Advice Verification Printer Printers ' +
  'Inventory Huddle Rounds Enrollment Rate Rates Card Mapping Workqueue Workqueues WQ Smartphrase Title Titles Changes Summary Sheet Log Logs'
).split(/\s+/);

/** Epic test patients are build fixtures: a "name" starting with one of these is not a person. */
export const TEST_PATIENT_PREFIXES = ['zz', 'xx'];

namespace Intent.Data.Seeding;

/// <summary>Words the synthetic data is made of.</summary>
internal static class Vocabulary
{
    public static readonly string[] FirstNames =
    [
        "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth", "William", "Barbara",
        "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen", "Christopher", "Lisa", "Daniel", "Nancy",
        "Matthew", "Betty", "Anthony", "Sandra", "Mark", "Margaret", "Donald", "Ashley", "Steven", "Kimberly", "Andrew", "Emily",
        "Paul", "Donna", "Joshua", "Michelle", "Kenneth", "Carol", "Kevin", "Amanda", "Brian", "Melissa", "George", "Deborah",
        "Priya", "Wei", "Aisha", "Mateo", "Sofia", "Lukas", "Emma", "Hiroshi", "Yuki", "Omar", "Fatima", "Carlos", "Ana", "Noah",
    ];

    public static readonly string[] LastNames =
    [
        "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Hernandez", "Lopez",
        "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White",
        "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres",
        "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts",
        "Patel", "Chen", "Kim", "Müller", "Schmidt", "Rossi", "Dubois", "Tanaka", "Singh", "Khan", "Silva", "Novak", "Larsen",
    ];

    public static readonly (string Industry, string Group)[] Industries =
    [
        ("Software", "Technology"), ("IT Services", "Technology"), ("Cybersecurity", "Technology"), ("Healthcare", "Health"),
        ("Pharmaceuticals", "Health"), ("Banking", "Financial Services"), ("Insurance", "Financial Services"),
        ("Investment Management", "Financial Services"), ("Retail", "Consumer"), ("Consumer Goods", "Consumer"),
        ("Manufacturing", "Industrials"), ("Logistics", "Industrials"), ("Construction", "Industrials"), ("Education", "Public Sector"),
        ("Government", "Public Sector"), ("Real Estate", "Real Estate"), ("Marketing & Advertising", "Media"), ("Media", "Media"),
        ("Telecommunications", "Technology"), ("Energy", "Energy"), ("Hospitality", "Consumer"), ("Automotive", "Industrials"),
    ];

    public static readonly string[] CompanyWords =
    [
        "Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay", "Soylent", "Tyrell", "Cyberdyne", "Aperture",
        "Northwind", "Contoso", "Fabrikam", "Litware", "Tailspin", "Wingtip", "Adatum", "Proseware", "Blue Yonder", "Lucerne", "Margie",
        "Alpine", "Summit", "Harbor", "Pioneer", "Evergreen", "Redwood", "Cobalt", "Granite", "Silverline", "Brightpath", "Keystone",
    ];

    public static readonly string[] CompanySuffixes = ["Inc", "LLC", "Group", "Labs", "Systems", "Partners", "Holdings", "Technologies", "Co"];

    public static readonly string[] RevenueRanges = ["$0-1M", "$1M-10M", "$10M-50M", "$50M-100M", "$100M-500M", "$500M-1B", "$1B+"];

    public static readonly string[] EmployeeRanges = ["1-10", "11-50", "51-200", "201-500", "501-1000", "1001-5000", "5001-10000", "10000+"];

    public static readonly (string Title, string Seniority, string Department)[] Titles =
    [
        ("Chief Executive Officer", "c_suite", "executive"), ("Chief Technology Officer", "c_suite", "engineering"),
        ("Chief Marketing Officer", "c_suite", "marketing"), ("Chief Financial Officer", "c_suite", "finance"),
        ("VP of Engineering", "vp", "engineering"), ("VP of Sales", "vp", "sales"), ("VP of Marketing", "vp", "marketing"),
        ("Director of IT", "director", "it"), ("Director of Operations", "director", "operations"), ("Director of Sales", "director", "sales"),
        ("Engineering Manager", "manager", "engineering"), ("Marketing Manager", "manager", "marketing"), ("HR Manager", "manager", "human_resources"),
        ("Account Executive", "individual_contributor", "sales"), ("Software Engineer", "individual_contributor", "engineering"),
        ("Senior Software Engineer", "senior", "engineering"), ("Data Analyst", "individual_contributor", "data"),
        ("Product Manager", "manager", "product"), ("Financial Analyst", "individual_contributor", "finance"),
        ("Recruiter", "individual_contributor", "human_resources"), ("Owner", "owner", "executive"), ("Founder", "owner", "executive"),
        ("Customer Success Manager", "manager", "customer_success"), ("IT Administrator", "individual_contributor", "it"),
    ];

    public static readonly (string Country, int Weight)[] Countries =
    [
        ("US", 55), ("GB", 9), ("CA", 7), ("DE", 6), ("FR", 4), ("AU", 4), ("IN", 5), ("NL", 2), ("BR", 3), ("ES", 2), ("SE", 1), ("JP", 2),
    ];

    public static readonly string[] TopicCores =
    [
        "CRM", "Cloud Security", "Data Warehousing", "Payroll", "Marketing Automation", "Endpoint Protection", "Kubernetes", "ERP",
        "Applicant Tracking", "Email Marketing", "Business Intelligence", "Identity Management", "Sales Engagement", "Web Hosting",
        "Video Conferencing", "Project Management", "Customer Support", "E-commerce Platforms", "Expense Management", "Supply Chain",
        "Electric Vehicles", "Home Insurance", "Mortgages", "Online Courses", "Fitness Trackers", "Travel Booking", "Meal Kits",
        "Personal Loans", "Streaming Services", "Smart Home", "Telehealth", "Cybersecurity Training", "Data Privacy", "Observability",
        "Content Management", "Digital Advertising", "Procurement", "Accounts Payable", "Fleet Management", "Point of Sale",
    ];

    public static readonly string[] TopicQualifiers =
    [
        "Software", "Services", "Platforms", "Tools", "Solutions", "Pricing", "Vendors", "Alternatives", "Integration", "Consulting",
        "for Small Business", "for Enterprise", "Reviews", "Comparison", "Implementation", "Training", "Compliance", "Migration",
    ];

    public static readonly string[] TopicCategories = ["Technology", "Sales", "Marketing", "Finance", "HR", "Operations", "Security", "Consumer"];
}

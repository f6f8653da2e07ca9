"""Invented names in both scripts for the demo data set.

Place names are built from invented stems and suffixes; person names pair an
invented given name with an invented family name. None is meant to be a real
person: the demo never attaches invented numbers to real names.
"""

STEMS = [
    ("Amar", "अमर"),
    ("Bhavan", "भवन"),
    ("Chandan", "चंदन"),
    ("Dhruv", "ध्रुव"),
    ("Ekta", "एकता"),
    ("Gagan", "गगन"),
    ("Hemant", "हेमंत"),
    ("Indra", "इंद्र"),
    ("Jalad", "जलद"),
    ("Kamal", "कमल"),
    ("Lalit", "ललित"),
    ("Madhav", "माधव"),
    ("Neel", "नील"),
    ("Omkar", "ओंकार"),
    ("Pawan", "पवन"),
    ("Ratan", "रतन"),
    ("Saral", "सरल"),
    ("Tarun", "तरुण"),
    ("Udai", "उदय"),
    ("Vasant", "वसंत"),
    ("Yamun", "यमुन"),
    ("Shikhar", "शिखर"),
    ("Kesar", "केसर"),
    ("Parvat", "पर्वत"),
    ("Sagar", "सागर"),
    ("Megh", "मेघ"),
    ("Tilak", "तिलक"),
    ("Mohan", "मोहन"),
    ("Sundar", "सुंदर"),
    ("Kiran", "किरण"),
]
SUFFIXES = [
    ("pur", "पुर"),
    ("garh", "गढ़"),
    ("nagar", "नगर"),
    ("ganj", "गंज"),
    ("khedi", "खेड़ी"),
    ("wara", "वाड़ा"),
    ("tal", "ताल"),
    ("kheda", "खेड़ा"),
]
DIRECTIONS = [("North", "उत्तर"), ("South", "दक्षिण"), ("East", "पूर्व"), ("West", "पश्चिम")]

GIVEN_NAMES = [
    ("Aravind", "अरविंद"),
    ("Bhuvan", "भुवन"),
    ("Charu", "चारु"),
    ("Devika", "देविका"),
    ("Ishaan", "ईशान"),
    ("Gauri", "गौरी"),
    ("Harsh", "हर्ष"),
    ("Ila", "इला"),
    ("Jatin", "जतिन"),
    ("Kavya", "काव्या"),
    ("Lokesh", "लोकेश"),
    ("Mira", "मीरा"),
    ("Nakul", "नकुल"),
    ("Ojas", "ओजस"),
    ("Pranav", "प्रणव"),
    ("Ritu", "ऋतु"),
    ("Sameer", "समीर"),
    ("Tanvi", "तन्वी"),
    ("Utkarsh", "उत्कर्ष"),
    ("Vidhi", "विधि"),
    ("Yash", "यश"),
    ("Zoya", "ज़ोया"),
    ("Anil", "अनिल"),
    ("Bela", "बेला"),
    ("Chetan", "चेतन"),
    ("Damini", "दामिनी"),
    ("Girish", "गिरीश"),
    ("Hema", "हेमा"),
    ("Jaya", "जया"),
    ("Kunal", "कुणाल"),
]
FAMILY_NAMES = [
    ("Vermani", "वर्मानी"),
    ("Chaurasiya", "चौरसिया"),
    ("Dixana", "दीक्षाना"),
    ("Malviraj", "मालवीराज"),
    ("Rathorva", "राठोरवा"),
    ("Sengarh", "सेंगढ़"),
    ("Tiwarsi", "तिवारसी"),
    ("Bundelkar", "बुंदेलकर"),
    ("Narmadiya", "नर्मदिया"),
    ("Patelwar", "पटेलवार"),
    ("Gondaliya", "गोंडालिया"),
    ("Kushwara", "कुशवारा"),
    ("Shivhare", "शिवहरे"),
    ("Dangiwal", "दांगीवाल"),
    ("Raghuvanshal", "रघुवंशल"),
    ("Solankar", "सोलंकर"),
]

DIVISION_NAMES = [
    ("Amarvan", "अमरवन"),
    ("Bhoomi", "भूमि"),
    ("Chandragiri", "चंद्रगिरि"),
    ("Devbhumi", "देवभूमि"),
    ("Ekantpur", "एकांतपुर"),
    ("Gangavali", "गंगावली"),
    ("Haritpradesh", "हरितप्रदेश"),
    ("Indravan", "इंद्रवन"),
    ("Jaladhar", "जलधर"),
    ("Kanakpur", "कनकपुर"),
]

PARTIES = [
    ("Janata Pragati Party", "JPP", "#ff9933"),
    ("Lok Vikas Morcha", "LVM", "#1f77b4"),
    ("Samta Dal", "SD", "#2ca02c"),
    ("Independent", "IND", "#7f7f7f"),
]
# The parties' names in Hindi (shown on the pages, exports and digest in Hindi), by short name.
PARTY_NAMES_HI = {
    "JPP": "जनता प्रगति पार्टी",
    "LVM": "लोक विकास मोर्चा",
    "SD": "समता दल",
    "IND": "निर्दलीय",
}

PORTFOLIOS = [  # (English, Hindi)
    ("Finance", "वित्त"),
    ("Home", "गृह"),
    ("Health", "स्वास्थ्य"),
    ("School Education", "स्कूल शिक्षा"),
    ("Agriculture", "कृषि"),
    ("Water Resources", "जल संसाधन"),
    ("Urban Development", "नगरीय विकास"),
    ("Rural Development", "ग्रामीण विकास"),
    ("Tribal Affairs", "जनजातीय कार्य"),
    ("Women and Child Development", "महिला एवं बाल विकास"),
    ("Energy", "ऊर्जा"),
    ("Tourism", "पर्यटन"),
    ("Public Works", "लोक निर्माण"),
    ("Forest", "वन"),
    ("Revenue", "राजस्व"),
    ("Higher Education", "उच्च शिक्षा"),
    ("Transport", "परिवहन"),
    ("Cooperation", "सहकारिता"),
]
